package govgate.mongo;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.KeyValue;
import de.bwaldvogel.mongo.backend.memory.index.MemoryUniqueIndex;
import de.bwaldvogel.mongo.bson.Document;

/** A compound unique index that also answers equality / {@code $in} on each of its keys. */
public class CompoundUniqueIndex extends MemoryUniqueIndex {

    public CompoundUniqueIndex(String name, List<IndexKey> keys, boolean sparse) {
        super(name, keys, sparse);
    }

    @Override
    public synchronized boolean canHandle(Document query) {
        if (super.canHandle(query)) {
            return true;
        }
        return query.keySet().equals(keySet()) && keys().stream().allMatch(key -> SecondaryIndex.lookupValues(query.get(key)) != null);
    }

    @Override
    public synchronized Iterable<Integer> getPositions(Document query) {
        if (super.canHandle(query)) {
            return super.getPositions(query);
        }
        List<List<Object>> combinations = SecondaryIndex.combinations(keys(), query);
        Set<Integer> positions = new LinkedHashSet<>();
        for (List<Object> combination : combinations) {
            Integer position = getPosition(new KeyValue(combination).normalized());
            if (position != null) {
                positions.add(position);
            }
        }
        return new ArrayList<>(positions);
    }
}
