// Command hello is the floor of the bench's coldstart scenario: the smallest
// Go HTTP server, answering GET /health/readiness on LISTEN_ADDRESS. Its exec
// to first answer is what any function's cold start is compared with.
package main

import (
	"net/http"
	"os"
)

func main() {
	http.HandleFunc("GET /health/readiness", func(w http.ResponseWriter, _ *http.Request) {
		w.Write([]byte("ok"))
	})
	if err := http.ListenAndServe(os.Getenv("LISTEN_ADDRESS"), nil); err != nil {
		os.Exit(1)
	}
}
