package dev.bnserve.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The durable half of an atomic write, shared by the dataset and model stores: write a new file and fsync it
 * ({@link #writeSynced}), rename it into place, then fsync the directory ({@link #syncDirectory}) so the rename
 * survives a crash.
 */
public final class DurableFiles {
    private DurableFiles() {}

    /** Produces a file's content. */
    public interface Writer {
        void write(OutputStream out) throws IOException;
    }

    /** Creates {@code file} (which must not exist), writes it through a buffer and forces it to disk. */
    public static void writeSynced(Path file, Writer writer) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16);
            writer.write(out);
            out.flush();
            channel.force(true);
        }
    }

    /** Makes renames in {@code dir} durable; not supported on every platform, hence best effort (false if not). */
    public static boolean syncDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
