// Command tdwitness serves github.com/transparency-dev/witness's witness
// (in-memory state) for one log, to check Amanat against an independent
// implementation of C2SP tlog-witness.
package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"

	fnote "github.com/transparency-dev/formats/note"
	"github.com/transparency-dev/witness/persistence/inmemory"
	"github.com/transparency-dev/witness/witness"
	"golang.org/x/mod/sumdb/note"
)

func main() {
	keyFile := flag.String("key", "", "witness private key file")
	logKey := flag.String("log-key", "", "the log's public key")
	addr := flag.String("addr", "127.0.0.1:0", "listen")
	flag.Parse()
	b, err := os.ReadFile(*keyFile)
	if err != nil {
		panic(err)
	}
	s, err := fnote.NewSignerForCosignatureV1(strings.TrimSpace(string(b)))
	if err != nil {
		panic(err)
	}
	lv, err := note.NewVerifier(*logKey)
	if err != nil {
		panic(err)
	}
	w, err := witness.New(context.Background(), witness.Opts{
		Persistence: inmemory.New(),
		Signers:     []note.Signer{s},
		VerifierForLog: func(_ context.Context, origin string) (note.Verifier, bool, error) {
			return lv, origin == lv.Name(), nil
		},
	})
	if err != nil {
		panic(err)
	}
	h := witness.NewHTTPHandler(w)
	mux := http.NewServeMux()
	mux.HandleFunc("/add-checkpoint", h.AddCheckpoint)
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		panic(err)
	}
	fmt.Printf("tdwitness serving on http://%s\n", ln.Addr())
	panic(http.Serve(ln, mux))
}
