package serve

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"strings"
	"sync"

	gossh "golang.org/x/crypto/ssh"

	"github.com/aopfetch/aopfetch/internal/text"
)

// maxNameLen caps an agent's name (the key's comment) in logs and on screen.
const maxNameLen = 64

// Agent is who a session belongs to: one key of the authorized_keys file.
type Agent struct {
	// Name is the key's comment ("asha@desk1"), sanitised; the short
	// fingerprint when the key has none. It is shown and logged, never used
	// as a path.
	Name string
	// Fingerprint is the key's SHA256 fingerprint as ssh-keygen -l prints it.
	Fingerprint string
	// ID is the hex SHA-256 of the key: the name of the agent's folder.
	ID string
}

// agentOf is the identity of key with the name from its comment.
func agentOf(key gossh.PublicKey, comment string) Agent {
	sum := sha256.Sum256(key.Marshal())
	fp := gossh.FingerprintSHA256(key)
	name := shortText(comment, maxNameLen)
	if name == "" {
		name = fp[:min(len(fp), 19)] // "SHA256:" and 12 characters
	}
	return Agent{Name: name, Fingerprint: fp, ID: hex.EncodeToString(sum[:])}
}

// shortText is s sanitised, trimmed and cut to at most n characters.
func shortText(s string, n int) string {
	s = strings.TrimSpace(text.Sanitize(s))
	if r := []rune(s); len(r) > n {
		s = string(r[:n])
	}
	return s
}

// keyring is the authorized_keys file, read again whenever it changes
// (checked at every login) or on Reload.
type keyring struct {
	path string
	log  *slog.Logger

	mu    sync.Mutex
	stamp fs.FileInfo      // the file as last read; nil when it could not be
	keys  map[string]Agent // by the key's wire form
}

// sameFile reports whether fi is the file stamp was taken from, unchanged:
// its content and its mode (a chmod go+w must be seen at the next login).
func sameFile(stamp, fi fs.FileInfo) bool {
	return stamp != nil && os.SameFile(stamp, fi) && stamp.Size() == fi.Size() && stamp.ModTime().Equal(fi.ModTime()) &&
		stamp.Mode() == fi.Mode()
}

// newKeyring reads path; a missing, unsafe or keyless file is an error
// here, at start, and only a logged refusal of every login later.
func newKeyring(path string, log *slog.Logger) (*keyring, error) {
	k := &keyring{path: path, log: log}
	if err := k.load(); err != nil {
		return nil, err
	}
	if len(k.keys) == 0 {
		return nil, fmt.Errorf("%s holds no public key; add one line per agent (ssh-ed25519 AAAA... name@desk)", path)
	}
	return k, nil
}

// lookup returns the agent of key, reading the file again first if it
// changed since it was last read.
func (k *keyring) lookup(key gossh.PublicKey) (Agent, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if fi, err := os.Stat(k.path); err != nil || !sameFile(k.stamp, fi) {
		if err := k.loadLocked(); err != nil {
			k.log.Error("authorized_keys: every login is refused until this is fixed", "err", err)
		}
	}
	a, ok := k.keys[string(key.Marshal())]
	return a, ok
}

// load reads the file (Reload, SIGHUP).
func (k *keyring) load() error {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.loadLocked()
}

// loadLocked reads the file and installs its keys; on any error no key is
// kept (a file that cannot be trusted lets nobody in).
func (k *keyring) loadLocked() error {
	k.keys, k.stamp = nil, nil
	f, err := os.Open(k.path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("%s does not exist; create it with one public key per agent (ssh-ed25519 AAAA... name@desk)", k.path)
		}
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if fi.Mode().Perm()&0o022 != 0 {
		return fmt.Errorf("%s is writable by group or others, so anyone could add a key; run chmod go-w %s", k.path, k.path)
	}
	keys, err := parseAuthorizedKeys(f, k.path, k.log)
	if err != nil {
		return err
	}
	k.keys, k.stamp = keys, fi
	k.log.Info("authorized_keys read", "file", k.path, "keys", len(keys))
	return nil
}

// maxKeysFileSize caps what is read of the authorized_keys file.
const maxKeysFileSize = 4 << 20

// parseAuthorizedKeys reads OpenSSH authorized_keys lines. A line that is
// not a plain public key (bad syntax, a certificate, key options) is
// skipped with a warning naming its line; a repeated key keeps its first
// line's name.
func parseAuthorizedKeys(f *os.File, path string, log *slog.Logger) (map[string]Agent, error) {
	keys := map[string]Agent{}
	firstLine := map[string]int{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), maxKeysFileSize)
	for n := 1; sc.Scan(); n++ {
		skip := func(why string, args ...any) {
			log.Warn("authorized_keys: line skipped: "+why, append([]any{"file", path, "line", n}, args...)...)
		}
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		key, comment, options, _, err := gossh.ParseAuthorizedKey(line)
		if err != nil {
			skip("not a public key")
			continue
		}
		wire := string(key.Marshal())
		first, seen := firstLine[wire]
		_, isCert := key.(*gossh.Certificate)
		switch {
		case len(options) > 0:
			skip("key options are not supported (serve already refuses forwarding and commands of its own)")
		case isCert:
			skip("certificates are not supported")
		case seen:
			skip("the key of an earlier line", "earlier", first)
		default:
			firstLine[wire] = n
			keys[wire] = agentOf(key, comment)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	return keys, nil
}
