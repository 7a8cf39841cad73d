package govgate.mongo;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.function.BiPredicate;
import java.util.function.Function;
import java.util.regex.Pattern;

import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.ValueComparator;
import de.bwaldvogel.mongo.bson.BsonRegularExpression;
import de.bwaldvogel.mongo.bson.Document;

/**
 * A non-unique index: documents grouped by the values of the index keys other than {@code _id},
 * each group ordered by {@code _id}. It only ever narrows the candidates: the collection still
 * applies the full query matcher to every document it returns, so a query it cannot narrow
 * exactly stays correct. A document with an array or sub-document under an index key (multikey)
 * makes the index decline every query from then on (the collection scans, as the stock backend does).
 */
public class SecondaryIndex extends Index<Integer> {

    private static final String ID = "_id";

    private final List<String> lookupKeys;
    private final Map<List<Object>, NavigableMap<Object, Integer>> groups = new HashMap<>();
    private boolean usable = true;
    private long count;

    public SecondaryIndex(String name, List<IndexKey> keys) {
        super(name, keys, false);
        this.lookupKeys = keys.stream().map(IndexKey::getKey).filter(key -> !key.equals(ID)).toList();
        if (lookupKeys.isEmpty() || lookupKeys.stream().anyMatch(key -> key.contains("."))) {
            usable = false;
        }
    }

    static boolean isIdAscending(Document orderBy) {
        if (orderBy == null || orderBy.size() != 1 || !orderBy.containsKey(ID)) {
            return false;
        }
        return orderBy.get(ID) instanceof Number n && n.doubleValue() == 1.0;
    }

    private static Object normalize(Object value) {
        return value instanceof Number n ? (Object) n.doubleValue() : value;
    }

    private static boolean isScalar(Object value) {
        return !(value instanceof Document || value instanceof Collection || value instanceof Pattern || value instanceof BsonRegularExpression);
    }

    /** The values a query condition selects by equality ({@code v}, {@code $eq}, {@code $in}), or null. */
    static List<Object> lookupValues(Object condition) {
        if (condition instanceof Document document) {
            if (document.size() != 1) {
                return null;
            }
            if (document.containsKey("$eq") && isScalar(document.get("$eq"))) {
                return List.of(normalize(document.get("$eq")));
            }
            if (document.get("$in") instanceof Collection<?> values) {
                List<Object> result = new ArrayList<>(values.size());
                for (Object value : values) {
                    if (!isScalar(value)) {
                        return null;
                    }
                    result.add(normalize(value));
                }
                return result;
            }
            return null;
        }
        if (!isScalar(condition)) {
            return null;
        }
        return Collections.singletonList(normalize(condition));
    }

    /** Every combination of the selected values of {@code keys} (all must be present in the query). */
    static List<List<Object>> combinations(List<String> keys, Document query) {
        List<List<Object>> result = new ArrayList<>();
        result.add(new ArrayList<>());
        for (String key : keys) {
            List<Object> values = lookupValues(query.get(key));
            if (values == null) {
                throw new IllegalStateException("no equality on " + key);
            }
            List<List<Object>> next = new ArrayList<>(result.size() * values.size());
            for (List<Object> prefix : result) {
                for (Object value : values) {
                    List<Object> combination = new ArrayList<>(prefix);
                    combination.add(value);
                    next.add(combination);
                }
            }
            result = next;
        }
        return result;
    }

    private List<Object> groupOf(Document document) {
        List<Object> group = new ArrayList<>(lookupKeys.size());
        for (String key : lookupKeys) {
            Object value = document.get(key);
            if (!isScalar(value)) {
                return null;
            }
            group.add(normalize(value));
        }
        return group;
    }

    @Override
    public synchronized Integer getPosition(Document document) {
        List<Object> group = groupOf(document);
        NavigableMap<Object, Integer> ids = group == null ? null : groups.get(group);
        return ids == null ? null : ids.get(document.get(ID));
    }

    @Override
    public void checkAdd(Document document, MongoCollection<Integer> collection) {
        // Not unique: nothing to check.
    }

    @Override
    public synchronized void add(Document document, Integer position, MongoCollection<Integer> collection) {
        if (!usable) {
            return;
        }
        List<Object> group = groupOf(document);
        if (group == null) {
            usable = false;
            groups.clear();
            return;
        }
        groups.computeIfAbsent(group, g -> new TreeMap<>(ValueComparator.asc())).put(document.get(ID), position);
        count++;
    }

    @Override
    public synchronized Integer remove(Document document) {
        List<Object> group = groupOf(document);
        NavigableMap<Object, Integer> ids = group == null ? null : groups.get(group);
        if (ids == null) {
            return null;
        }
        Integer position = ids.remove(document.get(ID));
        if (position != null) {
            count--;
            if (ids.isEmpty()) {
                groups.remove(group);
            }
        }
        return position;
    }

    @Override
    public synchronized boolean canHandle(Document query) {
        if (!usable) {
            return false;
        }
        for (String key : lookupKeys) {
            if (!query.containsKey(key) || lookupValues(query.get(key)) == null) {
                return false;
            }
        }
        return true;
    }

    @Override
    public synchronized Iterable<Integer> getPositions(Document query) {
        List<Integer> positions = new ArrayList<>();
        for (List<Object> group : combinations(lookupKeys, query)) {
            NavigableMap<Object, Integer> ids = groups.get(group);
            if (ids != null) {
                positions.addAll(ids.values());
            }
        }
        return positions;
    }

    /**
     * The first {@code wanted} matching positions in _id order, for a query that fixes every
     * lookup key to one value (at top level or inside a top-level {@code $and}); null when the
     * query has another shape.
     */
    synchronized List<Integer> orderedPositions(Document query, int wanted, Function<Integer, Document> documentAt,
                                                BiPredicate<Document, Document> matches) {
        if (!usable) {
            return null;
        }
        List<Document> clauses = new ArrayList<>();
        clauses.add(query);
        if (query.get("$and") instanceof Collection<?> and) {
            for (Object clause : and) {
                if (clause instanceof Document document) {
                    clauses.add(document);
                }
            }
        }
        List<Object> group = new ArrayList<>(lookupKeys.size());
        for (String key : lookupKeys) {
            List<Object> values = null;
            for (Document clause : clauses) {
                if (clause.containsKey(key)) {
                    values = lookupValues(clause.get(key));
                    break;
                }
            }
            if (values == null || values.size() != 1) {
                return null;
            }
            group.add(values.get(0));
        }
        NavigableMap<Object, Integer> ids = groups.get(group);
        List<Integer> result = new ArrayList<>();
        if (ids == null) {
            return result;
        }
        NavigableMap<Object, Integer> range = ids;
        for (Document clause : clauses) {
            if (clause.get(ID) instanceof Document bound && bound.size() == 1) {
                if (bound.containsKey("$gt") && isScalar(bound.get("$gt"))) {
                    range = ids.tailMap(bound.get("$gt"), false);
                } else if (bound.containsKey("$gte") && isScalar(bound.get("$gte"))) {
                    range = ids.tailMap(bound.get("$gte"), true);
                }
            }
        }
        for (Integer position : range.values()) {
            if (matches.test(documentAt.apply(position), query)) {
                result.add(position);
                if (result.size() >= wanted) {
                    break;
                }
            }
        }
        return result;
    }

    @Override
    public synchronized long getCount() {
        return count;
    }

    @Override
    public long getDataSize() {
        return 0;
    }

    @Override
    public void checkUpdate(Document oldDocument, Document newDocument, MongoCollection<Integer> collection) {
        // Not unique: nothing to check.
    }

    @Override
    public synchronized void updateInPlace(Document oldDocument, Document newDocument, Integer position, MongoCollection<Integer> collection) {
        List<Object> before = groupOf(oldDocument);
        List<Object> after = groupOf(newDocument);
        if (before != null && before.equals(after) && java.util.Objects.equals(oldDocument.get(ID), newDocument.get(ID))) {
            return;
        }
        remove(oldDocument);
        add(newDocument, position, collection);
    }

    @Override
    public synchronized void drop() {
        groups.clear();
        count = 0;
    }
}
