package loadtest

// Customers read two fields of the server's answers: the id and token of a new conversation,
// the type and author of the events of a message turn. encoding/json validates the whole
// answer and decodes it by reflection, which costs the load generator several times more than
// walking the JSON to the few fields it needs. The walk trusts the server for well-formed
// JSON: on malformed input it returns an error or misses fields, it never panics. Keys are
// compared as written: the server never escapes them.

import (
	"bytes"
	"encoding/json"
	"errors"
)

var errJSON = errors.New("JSON invalide")

// eachMember calls f with the key (as written between its quotes) and the raw value of each
// member of the JSON object d. null has no member.
func eachMember(d []byte, f func(key, value []byte) error) error {
	return eachItem(d, '{', '}', f)
}

// eachElement calls f with each raw element of the JSON array d. null has no element.
func eachElement(d []byte, f func(value []byte) error) error {
	return eachItem(d, '[', ']', func(_, value []byte) error { return f(value) })
}

// eachItem walks an object (open '{', members with keys) or an array (open '[', no key).
func eachItem(d []byte, open, close byte, f func(key, value []byte) error) error {
	i := skipSpace(d, 0)
	if bytes.HasPrefix(d[i:], []byte("null")) {
		return nil
	}
	if i == len(d) || d[i] != open {
		return errJSON
	}
	if i = skipSpace(d, i+1); i < len(d) && d[i] == close {
		return nil
	}
	for {
		var key []byte
		if open == '{' {
			end := skipString(d, i)
			if end < 0 {
				return errJSON
			}
			key = d[i+1 : end-1]
			if i = skipSpace(d, end); i == len(d) || d[i] != ':' {
				return errJSON
			}
			i = skipSpace(d, i+1)
		}
		end := skipValue(d, i)
		if end < 0 {
			return errJSON
		}
		if err := f(key, d[i:end]); err != nil {
			return err
		}
		switch i = skipSpace(d, end); {
		case i == len(d):
			return errJSON
		case d[i] == close:
			return nil
		case d[i] != ',':
			return errJSON
		}
		i = skipSpace(d, i+1)
	}
}

// jsonString sets *s to the JSON string v.
func jsonString(v []byte, s *string) error {
	if len(v) >= 2 && v[0] == '"' && bytes.IndexByte(v, '\\') < 0 {
		*s = string(v[1 : len(v)-1])
		return nil
	}
	return json.Unmarshal(v, s) // escapes, null or an error
}

func skipSpace(d []byte, i int) int {
	for i < len(d) && (d[i] == ' ' || d[i] == '\t' || d[i] == '\r' || d[i] == '\n') {
		i++
	}
	return i
}

// skipString returns the index past the string that starts at d[i], or -1.
func skipString(d []byte, i int) int {
	if i >= len(d) || d[i] != '"' {
		return -1
	}
	for i++; i < len(d); i++ {
		switch d[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return -1
}

// skipValue returns the index past the value that starts at d[i], or -1.
func skipValue(d []byte, i int) int {
	if i >= len(d) {
		return -1
	}
	switch d[i] {
	case '"':
		return skipString(d, i)
	case '{', '[':
		depth := 0
		for i < len(d) {
			switch d[i] {
			case '"':
				if i = skipString(d, i); i < 0 {
					return -1
				}
				continue
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return -1
	}
	start := i // a number, true, false or null
	for i < len(d) && bytes.IndexByte([]byte(",:]} \t\r\n{[\""), d[i]) < 0 {
		i++
	}
	if i == start {
		return -1
	}
	return i
}
