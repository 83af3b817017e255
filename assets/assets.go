// Package assets embeds what ships inside the palette binary: the icon, the trained model
// weights and the built-in example corners.
package assets

import _ "embed"

// Icon is the app icon (256x256 PNG), also named in FyneApp.toml.
//
//go:embed icon.png
var Icon []byte
