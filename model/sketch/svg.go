package sketch

import (
	"bufio"
	"fmt"
	"image/color"
	"io"
	"strconv"
	"strings"
)

// WriteSVG writes d as an SVG of Size x Size pixels: one <path> per stroke in the drawing's own
// coordinates, a viewBox fitted around it with the margin, round caps and joins.
func WriteSVG(w io.Writer, d Drawing, opt SVGOptions) error {
	o := opt.withDefaults()
	if err := o.check(); err != nil {
		return err
	}
	lines := drawable(d)
	f := fitCell(lines, o)
	side := float64(o.Size) / f.scale
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="%s %s %s %s">`+"\n",
		o.Size, o.Size, num(f.ox), num(f.oy), num(side), num(side))
	if o.Background != nil {
		fmt.Fprintf(bw, `<rect x="%s" y="%s" width="%s" height="%s" %s/>`+"\n", num(f.ox), num(f.oy), num(side), num(side), paint("fill", o.Background))
	}
	writePaths(bw, lines, "", o, f.scale)
	bw.WriteString("</svg>\n")
	return bw.Flush()
}

// WriteSheetSVG writes a contact sheet laid out as RenderSheet's: each cell a group that maps
// the drawing's coordinates into it.
func WriteSheetSVG(w io.Writer, rows [][]Drawing, opt SVGOptions) error {
	o := opt.withDefaults()
	if err := o.check(); err != nil {
		return err
	}
	width, height := max(sheetCols(rows), 1)*o.Size, max(len(rows), 1)*o.Size
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d">`+"\n", width, height, width, height)
	if o.Background != nil {
		fmt.Fprintf(bw, `<rect width="%d" height="%d" %s/>`+"\n", width, height, paint("fill", o.Background))
	}
	for i, row := range rows {
		for j, d := range row {
			if len(d) == 0 {
				continue
			}
			lines := drawable(d)
			f := fitCell(lines, o)
			transform := fmt.Sprintf(`transform="translate(%d %d) scale(%s) translate(%s %s)"`,
				j*o.Size, i*o.Size, num(f.scale), num(-f.ox), num(-f.oy))
			writePaths(bw, lines, transform, o, f.scale)
		}
	}
	bw.WriteString("</svg>\n")
	return bw.Flush()
}

// writePaths writes a group of one path per line; scale turns pixels into drawing units.
func writePaths(bw *bufio.Writer, lines [][][2]float32, attrs string, o Options, scale float64) {
	if attrs != "" {
		attrs += " "
	}
	fmt.Fprintf(bw, `<g %sfill="none" %s stroke-width="%s" stroke-linecap="round" stroke-linejoin="round">`+"\n",
		attrs, paint("stroke", o.Color), num(o.LineWidth/scale))
	for _, line := range lines {
		if len(line) == 0 {
			continue
		}
		bw.WriteString(`<path d="`)
		for i, p := range line {
			if i == 0 {
				bw.WriteString("M")
			} else {
				bw.WriteString(" L")
			}
			fmt.Fprintf(bw, "%s %s", num(float64(p[0])), num(float64(p[1])))
		}
		if len(line) == 1 {
			bw.WriteString(" h0") // a zero-length segment, which round caps draw as a dot
		}
		bw.WriteString(`"/>` + "\n")
	}
	bw.WriteString("</g>\n")
}

// paint returns the fill or stroke attributes for c: its colour, and its opacity unless opaque.
func paint(attr string, c color.Color) string {
	n := color.NRGBAModel.Convert(c).(color.NRGBA)
	s := fmt.Sprintf(`%s="#%02x%02x%02x"`, attr, n.R, n.G, n.B)
	if n.A != 0xff {
		s += fmt.Sprintf(` %s-opacity="%s"`, attr, num(float64(n.A)/255))
	}
	return s
}

// num formats v with at most 4 decimals and no trailing zeros.
func num(v float64) string {
	s := strconv.FormatFloat(v, 'f', 4, 64)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	if s == "-0" || s == "" {
		return "0"
	}
	return s
}
