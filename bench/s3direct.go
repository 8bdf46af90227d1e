//go:build ignore

// s3direct serves iamd's local S3 backend (internal/s3/local) on its own, with no
// authentication, authorization or checks in front of it: the "straight to the same backend" side
// of bench/s3-throughput.sh, which measures what iamd's S3 front costs. The front serves S3 with
// net/http, and so does this. Loopback only; it runs until killed.
//
//	go run bench/s3direct.go 127.0.0.1:9990 /tmp/s3direct-data
package main

import (
	"log"
	"net/http"
	"os"
	"time"

	"github.com/iamd/iamd/internal/s3/local"
)

func main() {
	if len(os.Args) != 3 {
		log.Fatal("usage: s3direct ADDR DIR")
	}
	b, err := local.Open(os.Args[2], local.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer b.Close()
	srv := &http.Server{Addr: os.Args[1], ReadHeaderTimeout: 10 * time.Second,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-Amz-Request-Id", "direct")
			w.Header().Set("X-Amz-Id-2", "direct")
			b.ServeHTTP(w, r)
		})}
	log.Fatal(srv.ListenAndServe())
}
