package policy

import (
	"sync"
	"testing"
)

// TestConcurrentEvaluate shares one compiled policy among goroutines (run with -race): a Policy
// is immutable, and each goroutine owns its Request and Result.
func TestConcurrentEvaluate(t *testing.T) {
	p := mustParse(t, benchIdentity, KindIdentity)
	sets := &Sets{Identity: []*Policy{p}}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cases := benchCases()
			var res Result
			for i := range 200 {
				c := &cases[(i+g)%len(cases)]
				EvaluateInto(&res, sets, &c.req)
				if res.Decision != c.want {
					t.Errorf("%s: %v, want %v", c.name, res.Decision, c.want)
					return
				}
			}
		}()
	}
	wg.Wait()
}
