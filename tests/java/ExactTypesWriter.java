// Writes what tests/test_exact_types.py reads with ignite_tf, using Apache Ignite's own Java thin
// client: decimals of every shape (scale kept, negative scales, many digits, zero with a scale),
// timestamps outside int64 nanoseconds (0001-01-01, 9999-12-31), and Binarylizable objects whose
// writeBinary uses both named fields and rawWriter(). It prints what it wrote as JSON: decimals as
// BigDecimal.toString() and Double.toString(doubleValue()), timestamps as epoch milliseconds and
// nanoseconds within the millisecond, raw sections as hex of the bytes Ignite's raw writer
// produces (BinaryRawWriter's documented encoding, rebuilt here with a ByteBuffer).
// Usage: java ExactTypesWriter host port cache table
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.*;
import org.apache.ignite.Ignition;
import org.apache.ignite.binary.BinaryObject;
import org.apache.ignite.binary.BinaryObjectBuilder;
import org.apache.ignite.binary.BinaryObjectException;
import org.apache.ignite.binary.BinaryRawReader;
import org.apache.ignite.binary.BinaryRawWriter;
import org.apache.ignite.binary.BinaryReader;
import org.apache.ignite.binary.BinaryWriter;
import org.apache.ignite.binary.Binarylizable;
import org.apache.ignite.cache.query.SqlFieldsQuery;
import org.apache.ignite.client.ClientCache;
import org.apache.ignite.client.IgniteClient;
import org.apache.ignite.configuration.ClientConfiguration;

public class ExactTypesWriter {
  /** Named fields and a raw section, as a Binarylizable class of a user's would write them. */
  public static class Sensor implements Binarylizable {
    int id;
    String name;
    long counter;
    byte[] payload;
    String note;

    public Sensor() {}

    Sensor(int id, String name, long counter, byte[] payload, String note) {
      this.id = id;
      this.name = name;
      this.counter = counter;
      this.payload = payload;
      this.note = note;
    }

    @Override
    public void writeBinary(BinaryWriter writer) throws BinaryObjectException {
      writer.writeInt("id", id);
      writer.writeString("name", name);
      BinaryRawWriter raw = writer.rawWriter();
      raw.writeLong(counter);
      raw.writeByteArray(payload);
      raw.writeString(note);
    }

    @Override
    public void readBinary(BinaryReader reader) throws BinaryObjectException {
      id = reader.readInt("id");
      name = reader.readString("name");
      BinaryRawReader raw = reader.rawReader();
      counter = raw.readLong();
      payload = raw.readByteArray();
      note = raw.readString();
    }

    /** The raw section: a long as is; byte[] and String with type code and length. */
    byte[] expectedRaw() {
      byte[] text = note.getBytes(StandardCharsets.UTF_8);
      ByteBuffer b = ByteBuffer.allocate(8 + 5 + payload.length + 5 + text.length)
          .order(ByteOrder.LITTLE_ENDIAN);
      b.putLong(counter);
      b.put((byte) 12).putInt(payload.length).put(payload);
      b.put((byte) 9).putInt(text.length).put(text);
      return b.array();
    }
  }

  /** Only a raw section: no named field at all. */
  public static class Packed implements Binarylizable {
    int a;
    int b;

    public Packed() {}

    Packed(int a, int b) {
      this.a = a;
      this.b = b;
    }

    @Override
    public void writeBinary(BinaryWriter writer) throws BinaryObjectException {
      BinaryRawWriter raw = writer.rawWriter();
      raw.writeInt(a);
      raw.writeInt(b);
    }

    @Override
    public void readBinary(BinaryReader reader) throws BinaryObjectException {
      BinaryRawReader raw = reader.rawReader();
      a = raw.readInt();
      b = raw.readInt();
    }

    byte[] expectedRaw() {
      return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(a).putInt(b).array();
    }
  }

  static String q(String s) {
    return "\"" + s + "\"";
  }

  static String hex(byte[] bytes) {
    StringBuilder b = new StringBuilder("\"");
    for (byte x : bytes) b.append(String.format("%02x", x & 0xFF));
    return b.append('"').toString();
  }

  static String dec(BigDecimal d) {
    return "{\"text\": " + q(d.toString()) + ", \"double\": " + q(Double.toString(d.doubleValue()))
        + "}";
  }

  static String ts(Timestamp t) {
    return "{\"ms\": " + t.getTime() + ", \"nanos\": " + (t.getNanos() % 1_000_000)
        + ", \"instant\": " + q(t.toInstant().toString()) + "}";
  }

  public static void main(String[] args) throws Exception {
    ClientConfiguration cfg = new ClientConfiguration().setAddresses(args[0] + ":" + args[1]);
    StringBuilder json = new StringBuilder("{");
    try (IgniteClient client = Ignition.startClient(cfg)) {
      String base = args[2];
      String table = args[3];

      // Decimals and timestamps in objects: one scalar and one array field each.
      BigDecimal[] decimals = {
        new BigDecimal("-12.3400"),
        new BigDecimal(BigInteger.ONE, -3), // 1E+3
        new BigDecimal("0.00"),
        new BigDecimal("1E-7"),
        new BigDecimal("123456789012345678901234567890.123456789"),
        new BigDecimal("-0.000001"),
        BigDecimal.ZERO.setScale(10), // 0E-10
        new BigDecimal("9007199254740993"), // 2^53 + 1: rounds to even
        new BigDecimal("1E+400"), // beyond double: Infinity
      };
      Timestamp[] stamps = {
        Timestamp.from(Instant.parse("0001-01-01T00:00:00Z")),
        Timestamp.from(Instant.parse("9999-12-31T23:59:59.999999999Z")),
        Timestamp.from(Instant.parse("2024-02-29T12:34:56.123456789Z")),
        Timestamp.from(Instant.parse("1969-12-31T23:59:59.999000001Z")),
      };
      ClientCache<Long, BinaryObject> exact =
          client.getOrCreateCache(base + "_EXACT").withKeepBinary();
      List<String> rows = new ArrayList<>();
      for (int i = 0; i < decimals.length; i++) {
        BinaryObjectBuilder b = client.binary().builder("ExactTypes");
        BigDecimal d = decimals[i];
        BigDecimal[] ds = {d, null, decimals[(i + 1) % decimals.length]};
        Timestamp t = stamps[i % stamps.length];
        Timestamp[] tss = {t, stamps[(i + 1) % stamps.length]};
        b.setField("dec", d);
        b.setField("decs", ds);
        b.setField("ts", t);
        b.setField("tss", tss);
        exact.put((long) i, b.build());
        rows.add("{\"key\": " + i + ", \"dec\": " + dec(d) + ", \"decs\": [" + dec(ds[0])
            + ", null, " + dec(ds[2]) + "], \"ts\": " + ts(t) + ", \"tss\": [" + ts(tss[0]) + ", "
            + ts(tss[1]) + "]}");
      }
      json.append("\"exact_cache\": ").append(q(base + "_EXACT")).append(",\n\"exact\": [\n  ");
      json.append(String.join(",\n  ", rows)).append("],\n");

      // Binarylizable objects, put as Java objects (the thin client marshals them).
      ClientCache<Long, Object> sensors = client.getOrCreateCache(base + "_RAW");
      rows.clear();
      for (int i = 0; i < 3; i++) {
        byte[] payload = new byte[i * 3];
        for (int j = 0; j < payload.length; j++) payload[j] = (byte) (j * 85 - i);
        Sensor s = new Sensor(i, "s\u00e9nsor" + i, Long.MIN_VALUE + i, payload, "n\u00f6te" + i);
        sensors.put((long) i, s);
        rows.add("{\"key\": " + i + ", \"id\": " + s.id + ", \"name\": " + q("s\\u00e9nsor" + i)
            + ", \"raw\": " + hex(s.expectedRaw()) + "}");
      }
      json.append("\"raw_cache\": ").append(q(base + "_RAW")).append(",\n\"raw\": [\n  ");
      json.append(String.join(",\n  ", rows)).append("],\n");

      ClientCache<Long, Object> packed = client.getOrCreateCache(base + "_PACKED");
      rows.clear();
      for (int i = 0; i < 2; i++) {
        Packed p = new Packed(i, -i - 1);
        packed.put((long) i, p);
        rows.add("{\"key\": " + i + ", \"raw\": " + hex(p.expectedRaw()) + "}");
      }
      json.append("\"packed_cache\": ").append(q(base + "_PACKED")).append(",\n\"packed\": [\n  ");
      json.append(String.join(",\n  ", rows)).append("],\n");

      // Through SQL: a DECIMAL and a TIMESTAMP column, read back as Java sees them.
      client.query(new SqlFieldsQuery("DROP TABLE IF EXISTS " + table)).getAll();
      client.query(new SqlFieldsQuery("CREATE TABLE " + table
          + " (ID BIGINT PRIMARY KEY, DE DECIMAL(40, 12), TS TIMESTAMP)")).getAll();
      String insert = "INSERT INTO " + table + " (ID, DE, TS) VALUES (?, ?, ?)";
      client.query(new SqlFieldsQuery(insert).setArgs(1L, new BigDecimal("-1234.5600"),
          stamps[1])).getAll();
      client.query(new SqlFieldsQuery(insert).setArgs(2L,
          new BigDecimal("12345678901234567890.123456789012"), stamps[0])).getAll();
      List<List<?>> back = client.query(
          new SqlFieldsQuery("SELECT ID, DE, TS FROM " + table + " ORDER BY ID")).getAll();
      rows.clear();
      for (List<?> r : back) {
        rows.add("{\"ID\": " + r.get(0) + ", \"DE\": " + dec((BigDecimal) r.get(1)) + ", \"TS\": "
            + ts((Timestamp) r.get(2)) + "}");
      }
      json.append("\"sql\": [\n  ").append(String.join(",\n  ", rows)).append("]}\n");
    }
    System.out.print(json);
  }
}
