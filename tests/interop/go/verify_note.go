// Verifies a signed note (a Hashpath checkpoint) with golang.org/x/mod/sumdb/note,
// the Go module proxy's own note implementation, given the log's vkey.
//
//	usage: go run verify_note.go VKEY_FILE NOTE_FILE
//
// Prints the verified signer and the note text; exits 1 if the note does not
// verify. Built in GOPATH mode against Debian's golang-golang-x-mod-dev, offline.
package main

import (
	"fmt"
	"os"
	"strings"

	"golang.org/x/mod/sumdb/note"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: verify_note VKEY_FILE NOTE_FILE")
		os.Exit(2)
	}
	vkey, err := os.ReadFile(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	msg, err := os.ReadFile(os.Args[2])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	verifier, err := note.NewVerifier(strings.TrimSpace(string(vkey)))
	if err != nil {
		fmt.Fprintln(os.Stderr, "bad vkey:", err)
		os.Exit(2)
	}
	n, err := note.Open(msg, note.VerifierList(verifier))
	if err != nil {
		fmt.Fprintln(os.Stderr, "note does not verify:", err)
		os.Exit(1)
	}
	fmt.Printf("verified by %s (%08x); %d other signatures\n", n.Sigs[0].Name, n.Sigs[0].Hash,
		len(n.UnverifiedSigs))
	fmt.Print(n.Text)
}
