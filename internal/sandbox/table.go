package sandbox

// table indexes one kind of object by id and UUID and keeps it in id order,
// the order every list endpoint answers in unless the reference says
// otherwise. New ids only grow, so appending keeps the order.
type table[T any] struct {
	byID   map[int64]*T
	byUUID map[string]*T
	ids    []int64
	order  []*T
}

// newTable returns an empty table.
func newTable[T any]() table[T] {
	return table[T]{byID: map[int64]*T{}, byUUID: map[string]*T{}}
}

// add indexes v, whose id must be above every id in the table.
func (t *table[T]) add(id int64, uuid string, v *T) {
	t.byID[id] = v
	if uuid != "" {
		t.byUUID[uuid] = v
	}
	t.ids = append(t.ids, id)
	t.order = append(t.order, v)
}

// get returns the object with id, or nil.
func (t *table[T]) get(id int64) *T { return t.byID[id] }

// find returns the object ref names, or nil.
func (t *table[T]) find(ref ident) *T {
	if ref.uuid != "" {
		return t.byUUID[ref.uuid]
	}
	return t.byID[ref.id]
}

// remove drops the object with id and uuid.
func (t *table[T]) remove(id int64, uuid string) {
	delete(t.byID, id)
	delete(t.byUUID, uuid)
	lo, hi := 0, len(t.ids)
	for lo < hi {
		mid := (lo + hi) / 2
		if t.ids[mid] < id {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	if lo < len(t.ids) && t.ids[lo] == id {
		t.ids = append(t.ids[:lo], t.ids[lo+1:]...)
		t.order = append(t.order[:lo], t.order[lo+1:]...)
	}
}

// all returns the objects in id order. The slice is the table's own: do not
// modify it.
func (t *table[T]) all() []*T { return t.order }

// len returns the number of objects.
func (t *table[T]) len() int { return len(t.order) }

// getOne serves a get by id: the record of the table of the store that
// c.id names, as render shows it, or 404. uuids says whether c.id may be a
// UUID; the reference types some ids as Integer only.
func getOne[T, J any](s *Sandbox, c *call, uuids bool, of func(*store) *table[T], render func(*store, *T) J) reply {
	ref, valid := parseIdent(c.id, uuids)
	if !valid {
		return errNotFound.reply()
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	v := of(s.st).find(ref)
	if v == nil {
		return errNotFound.reply()
	}
	return ok(render(s.st, v))
}
