-- jaga_append: the whole serialized section of a write, in one statement.
--
-- Takes the events table's write lock, checks each write's expectations (the
-- versions its decision saw), its idempotency key and whether it was stored
-- before (a retry whose answer was lost), then stores the accepted writes' events,
-- their dense positions and leaf hashes, the new Merkle nodes and the idempotency
-- answers. It runs as one statement: everything or nothing is stored. Leaf hashes
-- are computed by the caller before the lock; the tree is derived from them here.
--
-- Arrays are parallel and sorted by write (1-based): e_* per event, c_* per
-- expectation (version -1 means "exists"), n_* per event a write was decided on
-- that was not stored yet when it was decided (it must be in the log, or stored by
-- this call first), k_* per idempotency key.
CREATE OR REPLACE FUNCTION {schema}.jaga_append(
  e_write int[], e_originator uuid[], e_version bigint[], e_topic text[],
  e_state bytea[], e_event_id text[], e_leaf bytea[],
  c_write int[], c_originator uuid[], c_version bigint[],
  n_write int[], n_event text[],
  k_write int[], k_scope text[], k_key text[], k_fingerprint text[],
  k_answer text[], writes int, lock_seconds int
) RETURNS TABLE (
  write_no int, status text, first_position bigint, fingerprint text, answer text
) LANGUAGE plpgsql AS $fn$
#variable_conflict use_column
DECLARE
  seen jsonb;
  accepted int[] := '{{}}';
  taken text[] := '{{}}';
  ok boolean;
  cur bigint;
  ei int := 1;
  ci int := 1;
  ni int := 1;
  stored_ids text[] := '{{}}';
  ki int := 1;
  w int;
  size bigint;
  new_leaves bytea[];
  frontier bytea[] := array_fill(NULL::bytea, ARRAY[64]);
  lv int;
  idx bigint;
  node bytea;
  n_level int[] := '{{}}';
  n_idx bigint[] := '{{}}';
  n_hash bytea[] := '{{}}';
  counted bigint := 0;
  counts bigint[] := '{{}}';
  firsts bigint[] := '{{}}';
  n bigint;
  ai int;
  rec record;
BEGIN
  PERFORM set_config('lock_timeout', lock_seconds || 's', true);
  LOCK TABLE {schema}.{events} IN EXCLUSIVE MODE;
  NOTIFY {channel};

  SELECT COALESCE(jsonb_object_agg(v.originator_id::text, v.version), '{{}}')
    INTO seen
    FROM (SELECT t.originator_id, max(t.originator_version) AS version
            FROM {schema}.{events} t
           WHERE t.originator_id = ANY(c_originator)
           GROUP BY t.originator_id) v;

  FOR w IN 1..writes LOOP
    write_no := w; first_position := NULL; fingerprint := NULL; answer := NULL;
    -- A retry of an append that went through: its first event is in the log.
    SELECT l.position INTO first_position
      FROM jaga_log l WHERE l.event_id = e_event_id[ei];
    IF FOUND THEN
      status := 'stored_before';
    ELSE
      status := NULL;
      IF ki <= coalesce(array_length(k_write, 1), 0) AND k_write[ki] = w THEN
        SELECT i.fingerprint, i.answer, i.first_position
          INTO fingerprint, answer, first_position
          FROM jaga_idempotency i WHERE i.scope = k_scope[ki] AND i.key = k_key[ki];
        IF FOUND THEN
          status := 'key_taken';
        ELSIF (k_scope[ki] || E'\n' || k_key[ki]) = ANY(taken) THEN
          status := 'conflict';  -- the same key twice in one append: the later waits
        END IF;
      END IF;
      IF status IS NULL THEN
        ok := true;
        WHILE ci <= coalesce(array_length(c_write, 1), 0) AND c_write[ci] = w LOOP
          cur := COALESCE((seen ->> c_originator[ci]::text)::bigint, 0);
          IF c_version[ci] = -1 THEN
            ok := ok AND cur > 0;
          ELSE
            ok := ok AND cur = c_version[ci];
          END IF;
          ci := ci + 1;
        END LOOP;
        WHILE ni <= coalesce(array_length(n_write, 1), 0) AND n_write[ni] = w LOOP
          ok := ok AND (n_event[ni] = ANY(stored_ids) OR EXISTS (
            SELECT 1 FROM jaga_log l WHERE l.event_id = n_event[ni]));
          ni := ni + 1;
        END LOOP;
        IF ok THEN
          status := 'stored';
          accepted := accepted || w;
          IF ki <= coalesce(array_length(k_write, 1), 0) AND k_write[ki] = w THEN
            taken := taken || (k_scope[ki] || E'\n' || k_key[ki]);
          END IF;
        ELSE
          status := 'conflict';
        END IF;
      END IF;
    END IF;
    -- Move past this write's expectations, events and key.
    WHILE ci <= coalesce(array_length(c_write, 1), 0) AND c_write[ci] = w LOOP
      ci := ci + 1;
    END LOOP;
    WHILE ni <= coalesce(array_length(n_write, 1), 0) AND n_write[ni] = w LOOP
      ni := ni + 1;
    END LOOP;
    n := 0;
    WHILE ei <= coalesce(array_length(e_write, 1), 0) AND e_write[ei] = w LOOP
      n := n + 1;
      IF status = 'stored' THEN
        seen := jsonb_set(seen, ARRAY[e_originator[ei]::text],
                          to_jsonb(e_version[ei]));
        stored_ids := stored_ids || e_event_id[ei];
      END IF;
      ei := ei + 1;
    END LOOP;
    IF ki <= coalesce(array_length(k_write, 1), 0) AND k_write[ki] = w THEN
      ki := ki + 1;
    END IF;
    IF status = 'stored' THEN
      counts := counts || n;
    ELSE
      RETURN NEXT;
    END IF;
  END LOOP;

  IF array_length(accepted, 1) IS NULL THEN
    RETURN;
  END IF;

  SELECT COALESCE(max(l.position), 0) INTO size FROM jaga_log l;

  WITH src AS (
    SELECT u.ord, u.originator, u.version, u.topic, u.state, u.event_id, u.leaf
      FROM unnest(e_write, e_originator, e_version, e_topic, e_state, e_event_id,
                  e_leaf) WITH ORDINALITY
             AS u(wno, originator, version, topic, state, event_id, leaf, ord)
     WHERE u.wno = ANY(accepted)),
  ins AS (
    INSERT INTO {schema}.{events} (originator_id, originator_version, topic, state)
    SELECT s.originator, s.version, s.topic, s.state FROM src s ORDER BY s.ord
    RETURNING notification_id, originator_id, originator_version)
  INSERT INTO jaga_log (position, notification_id, event_id, leaf_hash)
  SELECT size + row_number() OVER (ORDER BY s.ord), ins.notification_id,
         s.event_id, s.leaf
    FROM ins JOIN src s
      ON s.originator = ins.originator_id AND s.version = ins.originator_version;

  -- The Merkle nodes the new leaves complete, from the old tree's right edge.
  SELECT array_agg(u.leaf ORDER BY u.ord) INTO new_leaves
    FROM unnest(e_write, e_leaf) WITH ORDINALITY AS u(wno, leaf, ord)
   WHERE u.wno = ANY(accepted);
  FOR rec IN
    SELECT m.level, m.hash FROM jaga_merkle m
     WHERE (m.level, m.idx) IN (
       SELECT g.lv, (size >> g.lv) - 1 FROM generate_series(0, 62) AS g(lv)
        WHERE (size >> g.lv) & 1 = 1)
  LOOP
    frontier[rec.level + 1] := rec.hash;
  END LOOP;
  idx := size;
  FOREACH node IN ARRAY new_leaves LOOP
    n_level := n_level || 0; n_idx := n_idx || idx; n_hash := n_hash || node;
    lv := 0;
    WHILE (idx >> lv) & 1 = 1 LOOP
      IF frontier[lv + 1] IS NULL THEN
        RAISE EXCEPTION 'jaga_merkle lacks node (%, %)', lv, (idx >> lv) - 1;
      END IF;
      node := sha256('\x01'::bytea || frontier[lv + 1] || node);
      lv := lv + 1;
      n_level := n_level || lv; n_idx := n_idx || (idx >> lv);
      n_hash := n_hash || node;
    END LOOP;
    frontier[lv + 1] := node;
    idx := idx + 1;
  END LOOP;
  INSERT INTO jaga_merkle (level, idx, hash)
  SELECT * FROM unnest(n_level, n_idx, n_hash);

  -- Each accepted write's first position (its events are consecutive), and the
  -- answers kept for its idempotency key.
  FOR ai IN 1..array_length(accepted, 1) LOOP
    firsts := firsts || (size + counted + 1);
    counted := counted + counts[ai];
    write_no := accepted[ai]; status := 'stored'; first_position := firsts[ai];
    fingerprint := NULL; answer := NULL;
    RETURN NEXT;
  END LOOP;
  INSERT INTO jaga_idempotency (scope, key, fingerprint, answer, first_position)
  SELECT k.scope, k.key, k.fp, k.answer, firsts[array_position(accepted, k.wno)]
    FROM unnest(k_write, k_scope, k_key, k_fingerprint, k_answer)
           AS k(wno, scope, key, fp, answer)
   WHERE k.wno = ANY(accepted);
END
$fn$;
