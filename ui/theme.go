package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// Colours of the palette: a dark studio background, warm accents, and one colour per corner
// (top-left, top-right, bottom-left, bottom-right) that the pad blends between.
var (
	colBackground = color.NRGBA{0x17, 0x19, 0x1f, 0xff}
	colPanel      = color.NRGBA{0x21, 0x24, 0x2d, 0xff}
	colPanelLine  = color.NRGBA{0x33, 0x37, 0x44, 0xff}
	colText       = color.NRGBA{0xe8, 0xe6, 0xe3, 0xff}
	colMuted      = color.NRGBA{0x9a, 0x9c, 0xa8, 0xff}
	colAccent     = color.NRGBA{0xff, 0x9f, 0x5a, 0xff}
	colCorner     = [4]color.NRGBA{
		{0xff, 0x7a, 0x6b, 0xff}, // coral
		{0xff, 0xc8, 0x57, 0xff}, // amber
		{0x4e, 0xc9, 0xb0, 0xff}, // teal
		{0x9d, 0x8c, 0xff, 0xff}, // violet
	}
)

// studioTheme is Fyne's default theme in a fixed dark variant with the palette's colours.
type studioTheme struct{}

func (studioTheme) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	switch n {
	case theme.ColorNameBackground:
		return colBackground
	case theme.ColorNameHeaderBackground, theme.ColorNameMenuBackground, theme.ColorNameOverlayBackground:
		return colPanel
	case theme.ColorNameInputBackground:
		return color.NRGBA{0x2a, 0x2e, 0x39, 0xff}
	case theme.ColorNameButton:
		return color.NRGBA{0x2e, 0x32, 0x3e, 0xff}
	case theme.ColorNameForeground:
		return colText
	case theme.ColorNamePlaceHolder:
		return colMuted
	case theme.ColorNamePrimary, theme.ColorNameFocus, theme.ColorNameHyperlink:
		return colAccent
	case theme.ColorNameForegroundOnPrimary:
		return colBackground
	case theme.ColorNameSeparator, theme.ColorNameInputBorder:
		return colPanelLine
	case theme.ColorNameSelection:
		return color.NRGBA{0xff, 0x9f, 0x5a, 0x40}
	case theme.ColorNameHover:
		return color.NRGBA{0xff, 0xff, 0xff, 0x14}
	}
	return theme.DefaultTheme().Color(n, theme.VariantDark)
}

func (studioTheme) Font(s fyne.TextStyle) fyne.Resource { return theme.DefaultTheme().Font(s) }

func (studioTheme) Icon(n fyne.ThemeIconName) fyne.Resource { return theme.DefaultTheme().Icon(n) }

func (studioTheme) Size(n fyne.ThemeSizeName) float32 {
	switch n {
	case theme.SizeNameInputRadius, theme.SizeNameSelectionRadius:
		return 6
	}
	return theme.DefaultTheme().Size(n)
}

// mix returns a blended with b by t in [0, 1].
func mix(a, b color.NRGBA, t float64) color.NRGBA {
	l := func(x, y uint8) uint8 { return uint8(float64(x) + (float64(y)-float64(x))*t + 0.5) }
	return color.NRGBA{l(a.R, b.R), l(a.G, b.G), l(a.B, b.B), l(a.A, b.A)}
}

// cornerBlend is the corners' colours blended bilinearly at (u, v), like the latent vectors.
func cornerBlend(u, v float64) color.NRGBA {
	return mix(mix(colCorner[0], colCorner[1], u), mix(colCorner[2], colCorner[3], u), v)
}

func withAlpha(c color.NRGBA, a uint8) color.NRGBA { c.A = a; return c }
