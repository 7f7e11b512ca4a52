package cli

import (
	"bytes"
	"unicode/utf16"
)

// Byte order marks.
var (
	bomUTF8    = []byte("\ufeff")
	bomUTF16LE = []byte{0xff, 0xfe}
	bomUTF16BE = []byte{0xfe, 0xff}
)

// utf8Text returns the text of an input file as UTF-8: a UTF-16 file with a
// byte order mark (how Windows tools save "Unicode" text) is decoded, and a
// UTF-8 byte order mark is dropped. Other bytes are returned as they are.
func utf8Text(data []byte) []byte {
	switch {
	case bytes.HasPrefix(data, bomUTF8):
		return data[len(bomUTF8):]
	case bytes.HasPrefix(data, bomUTF16LE):
		return decodeUTF16(data[2:], func(b []byte) uint16 { return uint16(b[0]) | uint16(b[1])<<8 })
	case bytes.HasPrefix(data, bomUTF16BE):
		return decodeUTF16(data[2:], func(b []byte) uint16 { return uint16(b[1]) | uint16(b[0])<<8 })
	}
	return data
}

// decodeUTF16 decodes UTF-16 code units read by unit; a trailing odd byte is
// dropped and unpaired surrogates become U+FFFD.
func decodeUTF16(data []byte, unit func([]byte) uint16) []byte {
	units := make([]uint16, 0, len(data)/2)
	for i := 0; i+1 < len(data); i += 2 {
		units = append(units, unit(data[i:i+2]))
	}
	return []byte(string(utf16.Decode(units)))
}
