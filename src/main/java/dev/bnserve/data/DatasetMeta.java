package dev.bnserve.data;

import java.util.List;

/** Content of {@code meta.json}: a human-readable summary next to the binary file. */
record DatasetMeta(int formatVersion, String id, String name, String created, int rows, List<ColumnMeta> columns) {

    record ColumnMeta(String name, String type) {}

    static DatasetMeta of(Dataset d) {
        return new DatasetMeta(
                DatasetCodec.VERSION,
                d.id(),
                d.name(),
                d.created().toString(),
                d.rows(),
                d.columns().stream()
                        .map(c -> new ColumnMeta(c.name(), c.type().json()))
                        .toList());
    }
}
