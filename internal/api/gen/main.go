// Command gen generates the AWS Query wire layer of a service from its botocore model: Go types
// for every shape an operation uses, decoders that read and validate the Query form, encoders
// that write AWS's XML, a Service interface and the operation table. With -protocoltests it
// instead turns botocore's Query protocol test suites into one package of the same code, so the
// protocol conformance tests exercise exactly what the services run.
//
//	go run ../gen -model ../models/iam.json -pkg iam -out zz_generated.go
//	go run ../gen -protocoltests input-query.json,output-query.json -pkg protocoltest -out zz_generated.go
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"go/format"
	"os"
	"strings"
)

func main() {
	model := flag.String("model", "", "botocore service model (JSON)")
	tests := flag.String("protocoltests", "", "comma-separated botocore protocol test files")
	pkg := flag.String("pkg", "", "Go package name")
	out := flag.String("out", "", "output file")
	flag.Parse()
	if err := run(*model, *tests, *pkg, *out); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(model, tests, pkg, out string) (err error) {
	if pkg == "" || out == "" || (model == "") == (tests == "") {
		return fmt.Errorf("need -pkg, -out and one of -model or -protocoltests")
	}
	// The emitters panic on a model they cannot express; report it as an error.
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	var src []byte
	if model != "" {
		b, err := os.ReadFile(model)
		if err != nil {
			return err
		}
		var m Model
		if err := json.Unmarshal(b, &m); err != nil {
			return fmt.Errorf("%s: %v", model, err)
		}
		src = genService(&m, pkg)
	} else {
		src, err = genProtocolTests(strings.Split(tests, ","), pkg)
		if err != nil {
			return err
		}
	}
	formatted, ferr := format.Source(src)
	if ferr != nil {
		_ = os.WriteFile(out+".broken", src, 0o644)
		return fmt.Errorf("generated code does not parse (see %s.broken): %v", out, ferr)
	}
	return os.WriteFile(out, formatted, 0o644)
}
