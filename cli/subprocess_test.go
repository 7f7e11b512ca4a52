package cli

import (
	"os"
	"os/exec"
	"testing"
)

// executeEnv, set in the environment of the test binary, makes it run
// Execute with its arguments instead of the tests: the real process, with
// its signal handling, for tests that signal or kill it.
const executeEnv = "AOPFETCH_TEST_EXECUTE"

func TestMain(m *testing.M) {
	if os.Getenv(executeEnv) == "1" {
		os.Exit(Execute(BuildInfo{Version: "test", Commit: "none", Date: "unknown"}))
	}
	os.Exit(m.Run())
}

// command is aopfetch args as a process (not started), with the env's
// config and store and nothing else from the machine's settings.
func (e *cliEnv) command(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"--config", e.config, "--store", e.store}, args...)...)
	cmd.Env = []string{executeEnv + "=1", "HOME=" + e.dir, "XDG_DATA_HOME=" + e.dir, "XDG_STATE_HOME=" + e.dir, "XDG_CONFIG_HOME=" + e.dir, "PATH=" + os.Getenv("PATH")}
	for k, v := range e.env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	return cmd
}
