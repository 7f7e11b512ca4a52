package main

import (
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

// readmeCommands returns every aopfetch command line the README shows: lines
// of fenced code blocks and inline code spans that start with "aopfetch ".
func readmeCommands(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	var cmds []string
	inBlock := false
	for _, line := range strings.Split(string(b), "\n") {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "```") {
			inBlock = !inBlock
			continue
		}
		if inBlock && strings.HasPrefix(trimmed, "aopfetch ") {
			cmds = append(cmds, trimmed)
		}
		if !inBlock {
			for _, m := range regexp.MustCompile("`(aopfetch [^`]+)`").FindAllStringSubmatch(line, -1) {
				cmds = append(cmds, m[1])
			}
		}
	}
	return cmds
}

// words splits a README command into its words, up to a shell operator or
// comment, dropping quoted arguments' quotes and optional [--flag] brackets.
func words(cmd string) []string {
	var out []string
	for _, w := range regexp.MustCompile(`"[^"]*"|'[^']*'|\S+`).FindAllString(cmd, -1) {
		if w == "|" || w == ">" || w == "#" || strings.HasPrefix(w, "#") {
			break
		}
		out = append(out, strings.Trim(w, `[]"'`))
	}
	return out[1:] // drop "aopfetch"
}

// helpOf returns the --help text of a command path.
func helpOf(t *testing.T, cache map[string]string, path []string) string {
	t.Helper()
	key := strings.Join(path, " ")
	if h, ok := cache[key]; ok {
		return h
	}
	out, err := exec.Command(binary, append(append([]string{}, path...), "--help")...).CombinedOutput()
	if err != nil {
		t.Fatalf("aopfetch %s --help: %v\n%s", key, err, out)
	}
	cache[key] = string(out)
	return string(out)
}

// subcommands lists the sub-command names a help text offers.
func subcommands(help string) map[string]bool {
	names := map[string]bool{}
	_, rest, ok := strings.Cut(help, "Available Commands:\n")
	if !ok {
		return names
	}
	for _, line := range strings.Split(rest, "\n") {
		f := strings.Fields(line)
		if len(f) == 0 {
			break
		}
		names[f[0]] = true
	}
	return names
}

// groupOnly reports whether the command at path only groups sub-commands
// (its usage offers nothing but "[command]").
func groupOnly(help string, path []string) bool {
	usage := "Usage:\n  " + strings.Join(append([]string{"aopfetch"}, path...), " ")
	return strings.Contains(help, usage+" [command]\n") && !strings.Contains(help, usage+" [flags]")
}

// TestREADMECommandsExist checks that every sub-command and flag the README
// shows exists, by asking the built binary's --help.
func TestREADMECommandsExist(t *testing.T) {
	cmds := readmeCommands(t)
	if len(cmds) < 20 {
		t.Fatalf("found only %d README commands; is the parser broken?", len(cmds))
	}
	cache := map[string]string{}
	for _, c := range cmds {
		var path []string
		for _, w := range words(c) {
			help := helpOf(t, cache, path)
			switch {
			case strings.HasPrefix(w, "--"):
				name, _, _ := strings.Cut(w, "=")
				if !strings.Contains(help, name+" ") && !strings.Contains(help, name+"\n") {
					t.Errorf("README: %q: aopfetch %s has no flag %s", c, strings.Join(path, " "), name)
				}
			case strings.HasPrefix(w, "-") && len(w) == 2:
				if !strings.Contains(help, w+",") {
					t.Errorf("README: %q: aopfetch %s has no flag %s", c, strings.Join(path, " "), w)
				}
			case subcommands(help)[w]:
				path = append(path, w)
			case groupOnly(help, path):
				t.Errorf("README: %q: aopfetch %s has no sub-command %s", c, strings.Join(path, " "), w)
			}
		}
	}
}

// TestREADMEServeDemoKeyStep: the README's step that puts your own key in
// authorized_keys for `aopfetch serve --demo` works on a fresh account,
// where ~/.config/aopfetch does not exist yet.
func TestREADMEServeDemoKeyStep(t *testing.T) {
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("`([^`]*cp ~/\\.ssh/id_ed25519\\.pub ~/\\.config/aopfetch/authorized_keys)`").FindSubmatch(b)
	if m == nil {
		t.Fatal("the README no longer shows the step that copies your key to ~/.config/aopfetch/authorized_keys")
	}
	home := t.TempDir()
	if err := os.MkdirAll(home+"/.ssh", 0o700); err != nil {
		t.Fatal(err)
	}
	const key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeKeyForTheReadmeTest me@desk\n"
	if err := os.WriteFile(home+"/.ssh/id_ed25519.pub", []byte(key), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("sh", "-c", string(m[1]))
	cmd.Env = []string{"HOME=" + home, "PATH=" + os.Getenv("PATH")}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", m[1], err, out)
	}
	if got, err := os.ReadFile(home + "/.config/aopfetch/authorized_keys"); err != nil || string(got) != key {
		t.Errorf("authorized_keys after %s: %q %v", m[1], got, err)
	}
}
