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
	"time"

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
	name := strings.TrimSpace(text.Sanitize(comment))
	if r := []rune(name); len(r) > maxNameLen {
		name = string(r[:maxNameLen])
	}
	if name == "" {
		name = fp[:min(len(fp), 19)] // "SHA256:" and 12 characters
	}
	return Agent{Name: name, Fingerprint: fp, ID: hex.EncodeToString(sum[:])}
}

// keyring is the authorized_keys file, read again whenever it changes
// (checked at every login) or on Reload.
type keyring struct {
	path string
	log  *slog.Logger

	mu    sync.Mutex
	stamp fileStamp
	keys  map[string]Agent // by the key's wire form
}

// fileStamp tells a changed file from an unchanged one.
type fileStamp struct {
	info    fs.FileInfo
	size    int64
	modTime time.Time
}

// same reports whether fi is the file st was taken from, unchanged.
func (st fileStamp) same(fi fs.FileInfo) bool {
	return st.info != nil && os.SameFile(st.info, fi) && st.size == fi.Size() && st.modTime.Equal(fi.ModTime())
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
	if fi, err := os.Stat(k.path); err != nil || !k.stamp.same(fi) {
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
	k.keys, k.stamp = nil, fileStamp{}
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
	k.keys, k.stamp = keys, fileStamp{info: fi, size: fi.Size(), modTime: fi.ModTime()}
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
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		key, comment, options, _, err := gossh.ParseAuthorizedKey(line)
		switch {
		case err != nil:
			log.Warn("authorized_keys: line skipped: not a public key", "file", path, "line", n)
			continue
		case len(options) > 0:
			log.Warn("authorized_keys: line skipped: key options are not supported (serve already refuses forwarding and commands of its own)",
				"file", path, "line", n)
			continue
		}
		if _, ok := key.(*gossh.Certificate); ok {
			log.Warn("authorized_keys: line skipped: certificates are not supported", "file", path, "line", n)
			continue
		}
		wire := string(key.Marshal())
		if first, ok := firstLine[wire]; ok {
			log.Warn("authorized_keys: line skipped: the key of an earlier line", "file", path, "line", n, "earlier", first)
			continue
		}
		firstLine[wire] = n
		keys[wire] = agentOf(key, comment)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	return keys, nil
}
