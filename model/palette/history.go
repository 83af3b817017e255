package palette

import "fmt"

// Named is an item with the name a UI shows for it.
type Named[T any] struct {
	Item T
	Name string
}

// History returns the items and names Undo goes back to in corner i, oldest first.
func (p *Palette[T]) History(i int) []Named[T] {
	p.mu.Lock()
	defer p.mu.Unlock()
	h := make([]Named[T], len(p.undo[i]))
	for j, c := range p.undo[i] {
		h[j] = Named[T]{c.Item, c.Name}
	}
	return h
}

// Restore puts back a saved state: the four corners and, oldest first, the items each corner's
// Undo goes back to, all encoded in one batch. The corners it replaces are dropped, not kept for
// Undo. It returns at once; OnCorners or OnError tells how it went (on an error nothing changes).
func (p *Palette[T]) Restore(corners [4]Named[T], history [4][]Named[T]) {
	p.enqueue(func() error {
		var items []T
		for i := range 4 {
			for _, h := range history[i] {
				items = append(items, h.Item)
			}
			items = append(items, corners[i].Item)
		}
		zs, err := p.encode(items)
		if err != nil {
			return fmt.Errorf("encode the saved corners: %w", err)
		}
		all := p.newCorners(items, zs) // one batch of reconstructions too
		var undo [4][]Corner[T]
		var cs [4]Corner[T]
		k := 0
		for i := range 4 {
			for _, h := range history[i] {
				all[k].Name = h.Name
				undo[i] = append(undo[i], all[k])
				k++
			}
			cs[i] = all[k]
			cs[i].Name = corners[i].Name
			k++
		}
		p.mu.Lock()
		p.corners, p.undo = cs, undo
		p.epoch++
		p.request()
		p.mu.Unlock()
		return nil
	})
}

// Rename names corner i anew, after the corner changes queued before it (no Undo step).
func (p *Palette[T]) Rename(i int, name string) {
	p.enqueue(func() error {
		p.mu.Lock()
		p.corners[i].Name = name
		p.mu.Unlock()
		return nil
	})
}
