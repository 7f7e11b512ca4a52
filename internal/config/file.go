package config

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/adrg/xdg"
)

// maxConfigBytes caps the config file; a bigger one is surely not a config.
const maxConfigBytes = 1 << 20

// loadFile reads the config file at path into c. A missing file is fine
// unless the user named it (named is "--config" or "AOPFETCH_CONFIG").
func (c *Config) loadFile(path, named string) error {
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	data, fi, err := readConfigFile(path)
	if errors.Is(err, fs.ErrNotExist) && named == "" {
		c.searched = path
		return nil
	}
	if err != nil {
		return readError(path, named, err)
	}
	d, err := decode(path, string(data))
	if err != nil {
		return err
	}
	c.File = path
	if err := d.apply(c); err != nil {
		return err
	}
	c.Warnings = append(c.Warnings, permissionWarnings(path, fi, c.Auth.JWTSecret != "" || len(c.Auth.Headers) > 0)...)
	return nil
}

// readConfigFile reads path, returning what was opened. It refuses
// directories and special files (opening a FIFO would block).
func readConfigFile(path string) ([]byte, fs.FileInfo, error) {
	if fi, err := os.Stat(path); err != nil {
		return nil, nil, err
	} else if fi.IsDir() {
		return nil, nil, errors.New("is a directory, not a file")
	} else if !fi.Mode().IsRegular() {
		return nil, nil, errors.New("is not a regular file")
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	fi, err := f.Stat() // the mode and owner of what was opened, for the permissions warning
	if err != nil {
		return nil, nil, err
	}
	data, err := io.ReadAll(io.LimitReader(f, maxConfigBytes+1))
	if err != nil {
		return nil, nil, err
	}
	if len(data) > maxConfigBytes {
		return nil, nil, errors.New("is larger than 1 MiB; is it really the config file?")
	}
	return data, fi, nil
}

// readError explains why the config file could not be read.
func readError(path, named string, err error) error {
	msg := err.Error()
	if pe, ok := errors.AsType[*fs.PathError](err); ok {
		msg = "cannot read: " + pe.Err.Error()
	}
	if errors.Is(err, fs.ErrNotExist) {
		msg = "no such file (named by " + named + ")"
	}
	return &Error{Source: SourceFile, Name: path, Message: msg, Err: err}
}

// resolveStorePath expands a leading "~/" and makes a relative store_path
// relative to the config file's directory ("" keeps the default location).
func resolveStorePath(p, dir string) string {
	if p = expandHome(p); p != "" && !filepath.IsAbs(p) {
		return filepath.Join(dir, p)
	}
	return p
}

// expandHome expands a leading "~/" (or a lone "~") to the home directory.
func expandHome(p string) string {
	if p == "~" || strings.HasPrefix(p, "~/") {
		return filepath.Join(xdg.Home, p[1:])
	}
	return p
}

// shellQuote quotes p for a shell command line when it needs it.
func shellQuote(p string) string {
	if strings.IndexFunc(p, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("/._-+,:@%", r))
	}) < 0 {
		return p
	}
	return "'" + strings.ReplaceAll(p, "'", `'\''`) + "'"
}
