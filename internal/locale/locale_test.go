package locale

import "testing"

func TestFix(t *testing.T) {
	tests := []struct {
		env        map[string]string
		key, value string
	}{
		{map[string]string{"LANG": "C.UTF-8"}, "LANG", "en_US.UTF-8"},
		{map[string]string{"LANG": "POSIX.UTF-8"}, "LANG", "en_US.UTF-8"},
		{map[string]string{"LANG": "C"}, "LANG", "C"},
		{map[string]string{"LANG": "de_DE.UTF-8"}, "LANG", "de_DE.UTF-8"},
		{map[string]string{"LC_ALL": "C.UTF-8", "LANG": "fr_FR.UTF-8"}, "LC_ALL", "en_US.UTF-8"},
		{map[string]string{"LC_MESSAGES": "pt_BR.UTF-8", "LANG": "C.UTF-8"}, "LC_MESSAGES", "pt_BR.UTF-8"},
		{map[string]string{}, "LANG", ""},
	}
	for _, tc := range tests {
		k, v := Fix(func(k string) string { return tc.env[k] })
		if k != tc.key || v != tc.value {
			t.Errorf("Fix(%v) = %s=%q, want %s=%q", tc.env, k, v, tc.key, tc.value)
		}
	}
}
