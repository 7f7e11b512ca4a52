package ui

import (
	"fmt"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/aopfetch/aopfetch/client"
	"github.com/aopfetch/aopfetch/internal/text"
)

// loadingModel is shown while a lookup runs.
type loadingModel struct {
	c       *common
	req     client.Request
	spin    spinner.Model
	started time.Time
	elapsed time.Duration
}

// newLoading builds the loading view of req. The spinner runs at
// 10 frames per second at most and only while this view is on screen.
func newLoading(c *common, req client.Request) loadingModel {
	sp := spinner.New(spinner.WithSpinner(spinner.Line), spinner.WithStyle(c.styles.Spinner))
	return loadingModel{c: c, req: req, spin: sp, started: c.Now()}
}

// Update handles the spinner and esc.
func (l loadingModel) Update(msg tea.Msg) (loadingModel, tea.Cmd, nav) {
	switch msg := msg.(type) {
	case spinner.TickMsg:
		var cmd tea.Cmd
		l.spin, cmd = l.spin.Update(msg)
		l.elapsed = l.c.Now().Sub(l.started)
		return l, cmd, nil
	case tea.KeyMsg:
		if key.Matches(msg, l.c.keys.Loading.Cancel) {
			return l, nil, navCancel{}
		}
	}
	return l, nil, nil
}

// View renders the spinner, the request and the elapsed time.
func (l loadingModel) View() string {
	s := l.c.styles
	op := "operator ?"
	if l.req.Operator != 0 {
		op = fmt.Sprintf("operator %d", l.req.Operator)
	}
	if n := l.c.operatorName(l.req.Operator); n != "" {
		op += " " + s.Subtle.Render("("+n+")")
	}
	what := l.spin.View() + " Fetching " + l.req.CANumber
	if line := what + l.c.g.Sep + op; text.Width(line) <= l.c.width-2 {
		what = line
	} else {
		what += "\n  " + op // the operator on its own line when narrow
	}
	return fmt.Sprintf("\n%s\n\n  %s", what, s.Subtle.Render(fmt.Sprintf("%.1fs elapsed", l.elapsed.Seconds())))
}
