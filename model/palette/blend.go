package palette

import "math"

// The corners in the order Magenta's MusicVAE takes four inputs to a 2D interpolation:
// top-left, top-right, bottom-left, bottom-right. u runs left to right, v top to bottom.
const (
	TopLeft = iota
	TopRight
	BottomLeft
	BottomRight
)

// CornerPoint returns the (u, v) of corner i.
func CornerPoint(i int) Point {
	return Point{U: float64(i & 1), V: float64(i >> 1)}
}

// Point is a position on the pad, both coordinates in [0, 1].
type Point struct{ U, V float64 }

// Clamp returns p moved into the unit square (NaN becomes 0).
func (p Point) Clamp() Point {
	c := func(x float64) float64 {
		if !(x > 0) {
			return 0
		}
		return min(x, 1)
	}
	return Point{c(p.U), c(p.V)}
}

// Blend returns the latent vector at p: the corners' vectors blended along u (top pair and
// bottom pair), then along v, linearly or, when spherical, by slerp along each axis. With
// linear blending this is MusicVAE's bilinear interpolation over four inputs:
//
//	z = (1-u)(1-v)·z0 + u(1-v)·z1 + (1-u)v·z2 + uv·z3
//
// At a corner Blend returns that corner's vector exactly.
func Blend(corners [4][]float32, p Point, spherical bool) []float32 {
	p = p.Clamp()
	if !spherical {
		w := [4]float64{(1 - p.U) * (1 - p.V), p.U * (1 - p.V), (1 - p.U) * p.V, p.U * p.V}
		z := make([]float32, len(corners[0]))
		for j := range z {
			var s float64
			for i, c := range corners {
				if w[i] != 0 {
					s += w[i] * float64(c[j])
				}
			}
			z[j] = float32(s)
		}
		return z
	}
	top := Slerp(corners[TopLeft], corners[TopRight], p.U)
	bottom := Slerp(corners[BottomLeft], corners[BottomRight], p.U)
	return Slerp(top, bottom, p.V)
}

// Slerp interpolates spherically from a (t = 0) to b (t = 1) as MusicVAE's slerp: along the
// great circle between the directions of a and b, with the norm changing along the way as
// the weights sin((1-t)Ω)/sin Ω and sin(tΩ)/sin Ω make it. Nearly parallel or zero vectors
// fall back to linear interpolation. The ends return copies of a and b exactly.
func Slerp(a, b []float32, t float64) []float32 {
	z := make([]float32, len(a))
	switch t {
	case 0:
		copy(z, a)
		return z
	case 1:
		copy(z, b)
		return z
	}
	var dot, na, nb float64
	for i := range a {
		dot += float64(a[i]) * float64(b[i])
		na += float64(a[i]) * float64(a[i])
		nb += float64(b[i]) * float64(b[i])
	}
	wa, wb := 1-t, t
	if na > 0 && nb > 0 {
		cos := max(-1, min(1, dot/math.Sqrt(na*nb)))
		omega := math.Acos(cos)
		if so := math.Sin(omega); so > 1e-6 {
			wa, wb = math.Sin((1-t)*omega)/so, math.Sin(t*omega)/so
		}
	}
	for i := range z {
		z[i] = float32(wa*float64(a[i]) + wb*float64(b[i]))
	}
	return z
}
