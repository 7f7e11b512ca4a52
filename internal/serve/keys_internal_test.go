package serve

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	gossh "golang.org/x/crypto/ssh"
)

// newPublicKey is a fresh ed25519 public key, made as the server makes
// its host key.
func newPublicKey(t *testing.T) gossh.PublicKey {
	t.Helper()
	s, _, err := loadHostKey(filepath.Join(t.TempDir(), "key"))
	if err != nil {
		t.Fatal(err)
	}
	return s.PublicKey()
}

func keyLine(k gossh.PublicKey) string {
	return strings.TrimSpace(string(gossh.MarshalAuthorizedKey(k)))
}

// TestAuthorizedKeysLines: comments name agents; a bad line, key options,
// a certificate and a repeated key are skipped with a warning naming the
// line; the others still log in.
func TestAuthorizedKeysLines(t *testing.T) {
	asha, ravi, opt, bare := newPublicKey(t), newPublicKey(t), newPublicKey(t), newPublicKey(t)
	signer, err := gossh.NewSignerFromKey(ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, 32)))
	if err != nil {
		t.Fatal(err)
	}
	cert := &gossh.Certificate{Key: newPublicKey(t), CertType: gossh.UserCert, ValidPrincipals: []string{"cert"}, ValidBefore: gossh.CertTimeInfinity}
	if err := cert.SignCert(rand.Reader, signer); err != nil {
		t.Fatal(err)
	}
	text := strings.Join([]string{
		"# agents of desk row 1",
		keyLine(asha) + " asha@desk1",
		"",
		"not a key at all",
		`from="10.0.0.0/8" ` + keyLine(opt) + " opt@desk",
		keyLine(cert) + " cert@desk",
		keyLine(asha) + " asha-again@desk9",
		keyLine(ravi) + " ravi \x1b[31mred\x1b[0m" + strings.Repeat("x", 100),
		keyLine(bare),
	}, "\n") + "\n"
	path := filepath.Join(t.TempDir(), "authorized_keys")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	k, err := newKeyring(path, slog.New(slog.NewTextHandler(&log, nil)))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		key  gossh.PublicKey
		name string
		ok   bool
	}{
		{asha, "asha@desk1", true},
		{opt, "", false},
		{cert, "", false},
		{bare, gossh.FingerprintSHA256(bare)[:19], true},
	} {
		a, ok := k.lookup(c.key)
		if ok != c.ok || a.Name != c.name {
			t.Errorf("lookup: %q %v, want %q %v", a.Name, ok, c.name, c.ok)
		}
	}
	r, _ := k.lookup(ravi)
	if strings.ContainsAny(r.Name, "\x1b") || len([]rune(r.Name)) != maxNameLen || !strings.HasPrefix(r.Name, "ravi ") {
		t.Errorf("ravi's name not sanitised and capped: %q", r.Name)
	}
	if a, _ := k.lookup(asha); len(a.ID) != 64 || a.Fingerprint != gossh.FingerprintSHA256(asha) {
		t.Errorf("asha's identity: %+v", a)
	}
	for _, want := range []string{"line=4", "not a public key", "line=5", "key options are not supported", "line=6", "certificates", "line=7", "earlier=2", "keys=3"} {
		if !strings.Contains(log.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, log.String())
		}
	}
}

// TestAuthorizedKeysRefusedAtStart: a missing, empty or unsafe file stops
// the server from starting, with what to do.
func TestAuthorizedKeysRefusedAtStart(t *testing.T) {
	dir := t.TempDir()
	log := slog.New(slog.NewTextHandler(&bytes.Buffer{}, nil))
	if _, err := newKeyring(filepath.Join(dir, "missing"), log); err == nil || !strings.Contains(err.Error(), "does not exist; create it") {
		t.Errorf("missing: %v", err)
	}
	empty := filepath.Join(dir, "empty")
	os.WriteFile(empty, []byte("# nobody yet\n"), 0o600)
	if _, err := newKeyring(empty, log); err == nil || !strings.Contains(err.Error(), "holds no public key") {
		t.Errorf("empty: %v", err)
	}
	open := filepath.Join(dir, "open")
	os.WriteFile(open, []byte(keyLine(newPublicKey(t))+" a\n"), 0o600)
	os.Chmod(open, 0o620)
	if _, err := newKeyring(open, log); err == nil || !strings.Contains(err.Error(), "chmod go-w") {
		t.Errorf("group-writable: %v", err)
	}
}

// TestAuthorizedKeysMadeUnsafe: a file made writable by group or others
// while the server runs (a chmod changes neither its size nor its mtime)
// lets nobody in from the next login on, without a reload.
func TestAuthorizedKeysMadeUnsafe(t *testing.T) {
	path := filepath.Join(t.TempDir(), "authorized_keys")
	key := newPublicKey(t)
	if err := os.WriteFile(path, []byte(keyLine(key)+" asha\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	k, err := newKeyring(path, slog.New(slog.NewTextHandler(&bytes.Buffer{}, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := k.lookup(key); !ok {
		t.Fatal("the key is refused in a safe file")
	}
	if err := os.Chmod(path, 0o666); err != nil {
		t.Fatal(err)
	}
	if a, ok := k.lookup(key); ok {
		t.Errorf("%s logged in through a world-writable authorized_keys", a.Name)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, ok := k.lookup(key); !ok {
		t.Error("the key is still refused after chmod go-w")
	}
}
