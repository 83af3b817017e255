package grid

import (
	"math"
	"math/cmplx"
)

// The tempo search: candidate periods e^(j·periodStep) hint beats for |j| ≤ periodSteps (a
// quarter to four times the hint's beat), judged over the first periodOnsets onsets.
const (
	periodStep   = 0.01
	periodSteps  = 139
	periodOnsets = 8192
	fitWindow    = 4 // beats per window of the grid fit
	// nearFit: of the periods that fit almost as well as the best, the one nearest the hint's
	// beat wins; a finer grid always fits an onset that a coarser one fits, so the best fit
	// alone would always pick the shortest period.
	nearFit = 0.9
	// tripletSteps: a beat in three is taken only this many candidates from the hint's beat: a
	// triplet grid of 3/4 of a beat is the 16th grid of the whole beat, so farther out it would
	// stand for straight time at another tempo.
	tripletSteps = 2
)

// fit measures how well onsets u (sorted, in hint beats, weights w) sit on the div parts (4:
// 16ths, 3: triplet 8ths) of a beat of period p hint beats: in windows of fitWindow beats, the
// resultant of the onsets' phases on that grid, debiased (an onset alone says nothing) and
// pooled over the windows, so that 1 is every onset exactly on the grid and 0 is onsets spread
// at random. A window lets the phase drift from one window to the next.
func fit(u, w []float64, p float64, div int) float64 {
	var num, den float64
	var s complex128
	var sw, sw2 float64
	win := math.Inf(-1)
	flush := func() {
		num += real(s)*real(s) + imag(s)*imag(s) - sw2
		den += sw*sw - sw2
		s, sw, sw2 = 0, 0, 0
	}
	for i, x := range u {
		x /= p
		if k := math.Floor(x / fitWindow); k != win {
			flush()
			win = k
		}
		s += complex(w[i], 0) * cmplx.Rect(1, 2*math.Pi*float64(div)*x)
		sw += w[i]
		sw2 += w[i] * w[i]
	}
	flush()
	if den <= 0 || num <= 0 {
		return 0
	}
	return math.Sqrt(num / den)
}

// findPeriod returns the beat period in hint beats that the onsets show, how the beat divides
// (4 or 3: a swing or 12/8 feel), and the fit.
func findPeriod(u, w []float64) (p float64, div int, f float64) {
	n := min(len(u), periodOnsets)
	u, w = u[:n], w[:n]
	var fits [2][2*periodSteps + 1]float64 // by div 4, 3
	best := 0.0
	for j := -periodSteps; j <= periodSteps; j++ {
		for d, div := range divs {
			fits[d][j+periodSteps] = fit(u, w, math.Exp(float64(j)*periodStep), div)
			best = max(best, fits[d][j+periodSteps])
		}
	}
	pick, d := 0, 0
outward: // from the hint's beat; a beat in three only near the hint's (else it aliases 16ths)
	for j := 0; j <= periodSteps; j++ {
		for _, jj := range []int{j, -j} {
			for dd := range divs {
				if (dd == 0 || j <= tripletSteps) && fits[dd][jj+periodSteps] >= nearFit*best {
					pick, d = jj, dd
					break outward
				}
			}
		}
	}
	p, div, f = math.Exp(float64(pick)*periodStep), divs[d], fits[d][pick+periodSteps]
	// Refine between the candidates; the hint's own beat stays unless another fits clearly better.
	p0 := p
	for k := -10; k <= 10; k++ {
		q := p0 * math.Exp(float64(k)*periodStep/10)
		if g := fit(u, w, q, div); g > f*1.02 || (pick != 0 && g > f) {
			p, f = q, g
		}
	}
	return p, div, f
}

// divs are the divisions of the beat tried, the straight one first.
var divs = [2]int{4, 3}

// The phase tracker: the phase of the grid at each beat is the resultant of the onsets around
// it, weighted by a Gaussian of phaseSigma beats (cut at 3 sigma).
const phaseSigma = 2

// trackPhase follows the phase of the grid of div parts a beat along onsets u (sorted, in found
// beats): for beats k0, k0+1, ... past the last onset, delta[i] is where the parts fall around
// beat k0+i, in parts (onsets sit near div(k0+i)+delta[i]+m for whole m), unwrapped from beat
// to beat so that a drifting beat is followed.
func trackPhase(u, w []float64, div int) (k0 int, delta []float64) {
	k0 = int(math.Floor(u[0])) - 1
	n := int(math.Ceil(u[len(u)-1])) + 2 - k0
	s := make([]complex128, n)
	for i, x := range u {
		k := min(max(int(math.Round(x))-k0, 0), n-1)
		s[k] += complex(w[i], 0) * cmplx.Rect(1, 2*math.Pi*float64(div)*x)
	}
	const reach = 3 * phaseSigma
	var kern [2*reach + 1]float64
	for d := -reach; d <= reach; d++ {
		kern[d+reach] = math.Exp(-0.5 * float64(d*d) / (phaseSigma * phaseSigma))
	}
	delta = make([]float64, n)
	prev, firstHave := 0.0, -1
	for k := range n {
		var z complex128
		for d := -reach; d <= reach; d++ {
			if j := k + d; j >= 0 && j < n {
				z += complex(kern[d+reach], 0) * s[j]
			}
		}
		if cmplx.Abs(z) < 1e-9 {
			delta[k] = prev // no onsets near: hold the phase
			continue
		}
		ph := cmplx.Phase(z) / (2 * math.Pi) // in parts, -0.5..0.5
		if firstHave >= 0 {
			ph = prev + math.Remainder(ph-prev, 1)
		} else {
			firstHave = k
		}
		delta[k], prev = ph, ph
	}
	for k := range firstHave {
		delta[k] = delta[firstHave]
	}
	return k0, delta
}

// What marks a downbeat, per onset, as a histogram over the parts of a 4/4 bar (up to 16)
// matched against the metrical template with its weight: long notes, low notes (bass, the
// chord's root), and the harmony changing (chords change on strong beats). The weights were
// chosen on POP909's train split (the downbeats of its beats files); onset counts, phrase
// starts, block chords and where the music starts did not help there.
const (
	featLong = iota // beats held, up to 2
	featBass        // low notes
	featHarm        // the pitch classes of the next harmWindow parts against those of the last
	numFeat
)

var (
	featWeight = [numFeat]float64{1, 1, 6}
	template   = [16]float64{6, 0, 1, 0, 2, 0, 1, 0, 4, 0, 1, 0, 2, 0, 1, 0} // by 16th of the bar
)

const (
	bassPitch  = 52 // below E3
	harmWindow = 2  // beats
	harmHold   = 2  // beats a note counts in the harmony, at most
)

// histogram is a feature over the parts of a bar: 16 or 12 of them are used.
type histogram [numFeat][16]float64

// barFeatures returns the features' histograms over the 4·div parts of the bar, part 0 being
// the part of the grid div·u - delta at 0 mod 4·div (u in found beats, dur the onsets' lengths
// in found beats).
func barFeatures(ons []Onset, u, dur []float64, k0 int, delta []float64, div int) histogram {
	var h histogram
	nb := 4 * div
	pos := make([]int, len(u))
	for i, x := range u {
		k := min(max(int(math.Round(x))-k0, 0), len(delta)-1)
		pos[i] = int(math.Round(float64(div)*x - delta[k]))
	}
	for i := range u {
		m := ((pos[i] % nb) + nb) % nb
		w := weight(ons[i])
		h[featLong][m] += min(dur[i], 2)
		if ons[i].Pitch > 0 && ons[i].Pitch < bassPitch {
			h[featBass][m] += w
		}
	}
	harmony(h[featHarm][:nb], ons, pos, dur, div)
	return h
}

// harmony adds to h, at each part (mod len(h)), how much the pitch classes sounding in the
// harmWindow beats from there differ from those of the harmWindow beats before.
func harmony(h []float64, ons []Onset, pos []int, dur []float64, div int) {
	if len(pos) == 0 {
		return
	}
	win, hold := harmWindow*div, harmHold*div
	lo, hi := pos[0], pos[0]
	for _, p := range pos {
		lo, hi = min(lo, p), max(hi, p)
	}
	p0 := lo - win
	n := hi - p0 + hold + win + 1
	chroma := make([][12]float32, n)
	for i, o := range ons {
		parts := min(max(int(math.Round(float64(div)*dur[i])), 1), hold)
		w := float32(1)
		if o.Pitch < bassPitch {
			w = 2
		}
		for s := range parts {
			chroma[pos[i]-p0+s][(o.Pitch%12+12)%12] += w
		}
	}
	nb := len(h)
	var a, b [12]float64 // the win parts before p, and from p on
	for p := range win {
		for j := range 12 {
			a[j] += float64(chroma[p][j])
			b[j] += float64(chroma[p+win][j])
		}
	}
	for p := win; ; p++ {
		var ab, aa, bb float64
		for j := range a {
			ab += a[j] * b[j]
			aa += a[j] * a[j]
			bb += b[j] * b[j]
		}
		if aa > 0 && bb > 0 {
			h[((p+p0)%nb+nb)%nb] += 1 - ab/math.Sqrt(aa*bb)
		}
		if p+win >= n {
			break
		}
		for j := range 12 {
			a[j] += float64(chroma[p][j] - chroma[p-win][j])
			b[j] += float64(chroma[p+win][j] - chroma[p][j])
		}
	}
}

// barPhase returns the part (mod 4·div) where the bar starts: the shift of the template that
// the features match best.
func barPhase(h histogram, div int) int {
	nb := 4 * div
	var tmpl [16]float64 // the template on the parts: part s of beat b is the 16th nearest it
	for b := range 4 {
		for s := range div {
			tmpl[b*div+s] = template[4*b+(4*s+div/2)/div]
		}
	}
	best, bestScore := 0, math.Inf(-1)
	for o := range nb {
		var sc float64
		for f := range numFeat {
			var s, tot float64
			for j := range nb {
				s += tmpl[j] * h[f][(o+j)%nb]
				tot += h[f][j]
			}
			if tot > 0 {
				sc += featWeight[f] * s / tot
			}
		}
		if sc > bestScore {
			best, bestScore = o, sc
		}
	}
	return best
}
