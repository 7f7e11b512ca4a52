// Package text is text for people: server strings made safe for a terminal,
// display widths and width-aware truncation, INR amounts, due dates and
// their "overdue by 3 days" wording, and plurals. The terminal UI and the
// command line both use it, so they never disagree.
//
// Every glyph that is not ASCII and that this module writes is one of the
// constants below, and callers name the constant instead of writing the
// glyph, so that a terminal whose locale is not UTF-8 can later be given
// ASCII stand-ins ("Rs ", "-", "x", "...") in this one place. (The bubbles
// components keep their own defaults, set where ui builds them.)
package text

// The glyphs of text for people.
const (
	Rupee    = "₹"   // before an amount: ₹1,000.00
	Sep      = " · " // between the parts of one line
	Yes      = "✓"   // a yes badge
	No       = "✗"   // a no badge, a failure
	Bullet   = "•"   // a due-soon mark
	Ellipsis = "…"   // ends truncated text, and text still in progress
	Dash     = "—"   // an empty value; a dash in a sentence
	Times    = "×"   // between a width and a height: 40×12
	Up       = "↑"   // the up arrow key
	Down     = "↓"   // the down arrow key
)
