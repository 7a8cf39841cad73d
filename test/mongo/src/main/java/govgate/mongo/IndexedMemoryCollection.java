package govgate.mongo;

import java.util.List;

import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.QueryResult;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.backend.memory.MemoryCollection;

/**
 * A memory collection that answers "equality on the index prefix, sorted by _id, limited" (the
 * shape of every paged read in govgate) by walking a {@link SecondaryIndex} in _id order and
 * stopping at the limit, and narrows queries that fix a unique index's keys among others, instead
 * of matching and sorting the whole collection.
 */
public class IndexedMemoryCollection extends MemoryCollection {

    public IndexedMemoryCollection(MongoDatabase database, String collectionName, CollectionOptions options, CursorRegistry cursorRegistry) {
        super(database, collectionName, options, cursorRegistry);
    }

    @Override
    protected QueryResult queryDocuments(Document query, Document orderBy, int numberToSkip, int limit, int batchSize, Document fieldSelector) {
        if (limit > 0 && SecondaryIndex.isIdAscending(orderBy)) {
            for (Index<Integer> index : getIndexes()) {
                if (index instanceof SecondaryIndex secondary) {
                    List<Integer> positions = secondary.orderedPositions(query, numberToSkip + limit, this::getDocument, this::documentMatchesQuery);
                    if (positions != null) {
                        return matchDocuments(query, positions, orderBy, numberToSkip, limit, batchSize, fieldSelector);
                    }
                }
            }
        }
        // A unique index over a subset of the queried keys narrows to a few documents (e.g.
        // {tenant, _id: {$in: [...]}} through the _id index, as a real mongod's planner would).
        for (Index<Integer> index : getIndexes()) {
            if (!index.isUnique()) {
                continue;
            }
            List<String> keys = index.getKeys().stream().map(IndexKey::getKey).toList();
            if (query.keySet().size() == keys.size() || !query.keySet().containsAll(keys)) {
                continue;
            }
            Document narrowed = new Document();
            for (String key : keys) {
                narrowed.put(key, query.get(key));
            }
            if (index.canHandle(narrowed)) {
                return matchDocuments(query, index.getPositions(narrowed), orderBy, numberToSkip, limit, batchSize, fieldSelector);
            }
        }
        return super.queryDocuments(query, orderBy, numberToSkip, limit, batchSize, fieldSelector);
    }
}
