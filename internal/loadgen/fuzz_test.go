package loadgen

import (
	"bytes"
	"testing"
)

func TestErrorCode(t *testing.T) {
	tests := []struct{ name, body, want string }{
		{"aws error", `<ErrorResponse xmlns="x"><Error><Type>Sender</Type><Code>NoSuchEntity</Code><Message>m</Message></Error></ErrorResponse>`, "NoSuchEntity"},
		{"no code", `<GetCallerIdentityResponse/>`, ""},
		{"unterminated", `<Code>Abc`, ""},
		{"nested markup", `<Code><b>x</b></Code>`, ""},
		{"empty", ``, ""},
		{"first wins", `<Code>A</Code><Code>B</Code>`, "A"},
		{"s3 error", `<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Key>k</Key><RequestId>1</RequestId></Error>`, "NoSuchKey"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ErrorCode([]byte(tt.body)); got != tt.want {
				t.Errorf("ErrorCode = %q, want %q", got, tt.want)
			}
		})
	}
}

func FuzzErrorCode(f *testing.F) {
	f.Add([]byte(`<Error><Code>Throttling</Code></Error>`))
	f.Add([]byte(`<Code></Code>`))
	f.Add([]byte(`<Code>`))
	f.Fuzz(func(t *testing.T, body []byte) {
		c := ErrorCode(body)
		if c != "" && !bytes.Contains(body, []byte("<Code>"+c+"</Code>")) {
			t.Errorf("ErrorCode(%q) = %q, which is not in the body", body, c)
		}
	})
}
