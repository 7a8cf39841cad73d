package govgate.bench.mongo;

import java.util.List;

import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.QueryResult;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.backend.memory.MemoryCollection;

/**
 * A memory collection that answers "equality on the index prefix, sorted by _id, limited" (the
 * shape of every paged read in govgate) by walking a {@link SecondaryIndex} in _id order and
 * stopping at the limit, instead of matching and sorting the whole collection.
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
        return super.queryDocuments(query, orderBy, numberToSkip, limit, batchSize, fieldSelector);
    }
}
