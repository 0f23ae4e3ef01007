package cluster

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// TestKnownHostsParsedOncePerFiles: the nodes of a cluster share one parse
// of their known_hosts files (opening a cluster of n nodes read the file n
// times, O(n²) in all): a second lookup of the same files returns the first
// parse, even after the file changed.
func TestKnownHostsParsedOncePerFiles(t *testing.T) {
	file := filepath.Join(t.TempDir(), "known_hosts")
	key := newPublicKey(t)
	line := knownhosts.Line([]string{"[127.0.0.1]:2222"}, key) + "\n"
	if err := os.WriteFile(file, []byte(line), 0o644); err != nil {
		t.Fatal(err)
	}
	var known knownHostsFiles
	first, err := known.db([]string{file, filepath.Join(t.TempDir(), "missing")})
	if err != nil {
		t.Fatal(err)
	}
	addr := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 2222}
	if err := first("127.0.0.1:2222", addr, key); err != nil {
		t.Fatalf("the key in known_hosts was refused: %v", err)
	}
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	second, err := known.db([]string{file})
	if err != nil {
		t.Fatal(err)
	}
	if err := second("127.0.0.1:2222", addr, key); err != nil {
		t.Errorf("known_hosts was read again for the same files: %v", err)
	}
}

func newPublicKey(t *testing.T) ssh.PublicKey {
	pub, _, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	key, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return key
}

// TestDialWaitsForAHandshakeSlot: with every handshake slot taken, a dial
// waits, and gives up with a clear error when its context ends.
func TestDialWaitsForAHandshakeSlot(t *testing.T) {
	for range cap(handshakeSlots) {
		handshakeSlots <- struct{}{}
	}
	t.Cleanup(func() {
		for range cap(handshakeSlots) {
			<-handshakeSlots
		}
	})
	d := &sshDialer{target: &sshTarget{hostname: "127.0.0.1", port: 1}}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := d.dialHop(ctx, nil)
	var de *DialError
	if !errors.As(err, &de) || !strings.Contains(err.Error(), "127.0.0.1:1: cancelled") {
		t.Fatalf("dial without a slot: %v, want a DialError saying it was cancelled", err)
	}
}

// TestPooledCopy: a command's output reaches its writer whole through the
// pooled copy buffers, also when the writer has a ReadFrom of its own and
// the output is larger than a buffer.
func TestPooledCopy(t *testing.T) {
	want := bytes.Repeat([]byte("0123456789abcdef"), 5000) // 80 KB: ten buffers
	var got bytes.Buffer
	n, err := pooledCopy{&got}.ReadFrom(bytes.NewReader(want))
	if err != nil || n != int64(len(want)) || !bytes.Equal(got.Bytes(), want) {
		t.Fatalf("copied %d bytes (err %v), equal %v; want %d", n, err, bytes.Equal(got.Bytes(), want), len(want))
	}
}
