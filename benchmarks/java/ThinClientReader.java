import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.List;
import javax.cache.Cache;
import org.apache.ignite.Ignition;
import org.apache.ignite.binary.BinaryObject;
import org.apache.ignite.cache.query.FieldsQueryCursor;
import org.apache.ignite.cache.query.QueryCursor;
import org.apache.ignite.cache.query.ScanQuery;
import org.apache.ignite.cache.query.SqlFieldsQuery;
import org.apache.ignite.client.ClientCache;
import org.apache.ignite.client.IgniteClient;
import org.apache.ignite.configuration.ClientConfiguration;

/**
 * Baseline reader for the benchmarks: reads one workload fully with Apache Ignite's official Java
 * thin client and prints one JSON line {"rows", "bytes", "seconds", "peak_rss_bytes",
 * "cpu_seconds", "checksum", "passes", "window"}; cpu_seconds is the JVM's CPU time during the
 * read, window its start and end in epoch seconds (for the node's CPU in that window).
 *
 * <pre>
 * java ThinClientReader --host H --port P --workload W1|W2|W3 --page-size N [--cache NAME] [--query SQL] [--passes N] [--lazy true|false]
 * </pre>
 *
 * <ul>
 *   <li>W1: cache BENCH_W1, Long -> byte[]; bytes = sum of the byte[] lengths.
 *   <li>W2: cache BENCH_W2, Long -> MnistRow {label: int, pixels: byte[]}; both fields are read
 *       out of every BinaryObject; bytes = 4 + pixels.length a row.
 *   <li>W3: SQL SELECT C0..C9 FROM BENCH_W3; every column of every row is read; bytes = the
 *       fixed width of each non-null value (8 for BIGINT/DOUBLE, 4 for INT/REAL), 64 a row.
 * </ul>
 *
 * <p>The checksum sums what was read so that the JIT cannot drop the reads.
 */
public final class ThinClientReader {
    private long rows;
    private long bytes;
    private long checksum;

    public static void main(String[] args) throws Exception {
        String host = "127.0.0.1";
        int port = 10800;
        String workload = null;
        int pageSize = 1024;
        String cache = null;
        String query = null;
        int passes = 1;
        boolean lazy = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (i + 1 >= args.length) usage("missing value after " + arg);
            String value = args[++i];
            switch (arg) {
                case "--host": host = value; break;
                case "--port": port = Integer.parseInt(value); break;
                case "--workload": workload = value.toUpperCase(); break;
                case "--page-size": pageSize = Integer.parseInt(value); break;
                case "--cache": cache = value; break;
                case "--query": query = value; break;
                case "--passes": passes = Integer.parseInt(value); break;
                case "--lazy": lazy = Boolean.parseBoolean(value); break;
                default: usage("unknown argument " + arg);
            }
        }
        if (workload == null) usage("--workload is required");
        if (pageSize <= 0) usage("--page-size must be positive");
        if (passes < 1) usage("--passes must be at least 1");

        ClientConfiguration cfg = new ClientConfiguration().setAddresses(host + ":" + port);
        ThinClientReader reader = new ThinClientReader();
        long started;
        long finished;
        long cpuStarted;
        long cpuFinished;
        double wallStarted = 0;
        double wallFinished = 0;
        try (IgniteClient client = Ignition.startClient(cfg)) {
            // Timing starts after the client has connected (handshake done): JVM start, class
            // loading of the client and the connection are not part of "seconds". Every pass
            // reads everything; the last one is reported (--passes 2: the first warms the JIT).
            cpuStarted = 0;
            started = 0;
            finished = 0;
            for (int pass = 0; pass < passes; pass++) {
                cpuStarted = processCpuNanos();
                wallStarted = System.currentTimeMillis() / 1e3;
                started = System.nanoTime();
                switch (workload) {
                    case "W1":
                        reader.readScan(client, cache != null ? cache : "BENCH_W1", pageSize,
                                reader::readBytesEntry);
                        break;
                    case "W2":
                        reader.readScan(client, cache != null ? cache : "BENCH_W2", pageSize,
                                reader::readMnistEntry);
                        break;
                    case "W3":
                        reader.readSql(client, query != null ? query : DEFAULT_W3_QUERY, pageSize, lazy);
                        break;
                    default:
                        usage("unknown workload " + workload);
                        return;
                }
                finished = System.nanoTime();
                wallFinished = System.currentTimeMillis() / 1e3;
            }
            cpuFinished = processCpuNanos();
        }
        System.out.println(
                "{\"rows\": " + reader.rows
                        + ", \"bytes\": " + reader.bytes
                        + ", \"seconds\": " + ((finished - started) / 1e9)
                        + ", \"peak_rss_bytes\": " + peakRssBytes()
                        + ", \"cpu_seconds\": " + ((cpuFinished - cpuStarted) / 1e9)
                        + ", \"checksum\": " + reader.checksum
                        + ", \"passes\": " + passes
                        + ", \"window\": [" + wallStarted + ", " + wallFinished + "]}");
    }

    static final String DEFAULT_W3_QUERY =
            "SELECT C0, C1, C2, C3, C4, C5, C6, C7, C8, C9 FROM BENCH_W3";

    /** Reads one scanned entry: adds to the checksum and returns its payload bytes. */
    private interface EntryReader {
        long read(Object key, Object value);
    }

    /** Scans a whole cache in keep-binary mode, handing every entry to `reader`. */
    private void readScan(IgniteClient client, String name, int pageSize, EntryReader reader) {
        ClientCache<Object, Object> cache = client.cache(name).withKeepBinary();
        long n = 0, total = 0;
        checksum = 0;
        try (QueryCursor<Cache.Entry<Object, Object>> cur =
                cache.query(new ScanQuery<Object, Object>().setPageSize(pageSize))) {
            for (Cache.Entry<Object, Object> e : cur) {
                n++;
                total += reader.read(e.getKey(), e.getValue());
            }
        }
        rows = n;
        bytes = total;
    }

    /** W1: values are byte[] (primitive arrays stay byte[] even with keepBinary). */
    private long readBytesEntry(Object key, Object v) {
        if (!(v instanceof byte[]))
            throw new IllegalStateException("W1 value is not a byte[]: " + typeOf(v));
        byte[] a = (byte[]) v;
        checksum += key.hashCode() + (a.length > 0 ? a[a.length - 1] : 0);
        return a.length;
    }

    /** W2: every value is a BinaryObject whose two fields are both read. */
    private long readMnistEntry(Object key, Object v) {
        if (!(v instanceof BinaryObject))
            throw new IllegalStateException("W2 value is not a BinaryObject: " + typeOf(v));
        BinaryObject bo = (BinaryObject) v;
        Integer label = bo.field("label");
        byte[] pixels = bo.field("pixels");
        checksum += key.hashCode() + label + (pixels.length > 0 ? pixels[pixels.length - 1] : 0);
        return 4 + pixels.length;
    }

    /** W3: every column value of every row is read; bytes are the values' fixed widths. */
    private void readSql(IgniteClient client, String sql, int pageSize, boolean lazy) {
        long n = 0, total = 0, sum = 0;
        try (FieldsQueryCursor<List<?>> cur =
                client.query(new SqlFieldsQuery(sql).setPageSize(pageSize).setLazy(lazy))) {
            for (List<?> row : cur) {
                n++;
                for (int i = 0, cols = row.size(); i < cols; i++) {
                    Object v = row.get(i);
                    if (v instanceof Long) {
                        sum += (Long) v;
                        total += 8;
                    } else if (v instanceof Integer) {
                        sum += (Integer) v;
                        total += 4;
                    } else if (v instanceof Double) {
                        sum += Double.doubleToRawLongBits((Double) v);
                        total += 8;
                    } else if (v instanceof Float) {
                        sum += Float.floatToRawIntBits((Float) v);
                        total += 4;
                    } else if (v instanceof Short) {
                        sum += (Short) v;
                        total += 2;
                    } else if (v instanceof Byte) {
                        sum += (Byte) v;
                        total += 1;
                    } else if (v instanceof Boolean) {
                        sum += (Boolean) v ? 1 : 0;
                        total += 1;
                    } else if (v instanceof byte[]) {
                        sum += ((byte[]) v).length;
                        total += ((byte[]) v).length;
                    } else if (v instanceof String) {
                        // Counted as its UTF-8 length (the wire form); rarely used here.
                        byte[] utf8 = ((String) v).getBytes(StandardCharsets.UTF_8);
                        sum += utf8.length;
                        total += utf8.length;
                    } else if (v != null) {
                        sum += v.hashCode();
                    }
                }
            }
        }
        rows = n;
        bytes = total;
        checksum = sum;
    }

    /** CPU time of the whole JVM (every thread, JIT and GC included), in nanoseconds. */
    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean)
                        java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** VmHWM (peak resident set size) of this process, in bytes; -1 when unavailable. */
    private static long peakRssBytes() {
        try {
            for (String line : Files.readAllLines(Paths.get("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    String[] parts = line.trim().split("\\s+");
                    return Long.parseLong(parts[1]) * 1024L;  // reported in kB
                }
            }
        } catch (Exception ignored) {
            // not Linux
        }
        return -1;
    }

    private static String typeOf(Object v) {
        return v == null ? "null" : v.getClass().getName();
    }

    private static void usage(String message) {
        System.err.println(message);
        System.err.println(
                "usage: ThinClientReader --host H --port P --workload W1|W2|W3 --page-size N"
                        + " [--cache NAME] [--query SQL] [--passes N]");
        System.exit(2);
    }
}
