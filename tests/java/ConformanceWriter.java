// Writes rows holding every Ignite type with Apache Ignite's own Java thin client, and prints the
// values it wrote as JSON in ignite_tf's column representation, so tests/test_conformance.py can
// check that ignite_tf reads what Java wrote. Usage: java ConformanceWriter host port cache table
import java.math.BigDecimal;
import java.sql.Time;
import java.sql.Timestamp;
import java.util.*;
import org.apache.ignite.Ignition;
import org.apache.ignite.binary.BinaryObject;
import org.apache.ignite.binary.BinaryObjectBuilder;
import org.apache.ignite.cache.query.SqlFieldsQuery;
import org.apache.ignite.client.ClientCache;
import org.apache.ignite.client.IgniteClient;
import org.apache.ignite.configuration.ClientConfiguration;

public class ConformanceWriter {
  static final StringBuilder json = new StringBuilder();

  static String q(String s) {
    if (s == null) return "null";
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') b.append('\\').append(c);
      else if (c < 0x20 || c > 0x7E) b.append(String.format("\\u%04x", (int) c));
      else b.append(c);
    }
    return b.append('"').toString();
  }

  static String list(List<String> items) { return "[" + String.join(", ", items) + "]"; }

  static long nanos(Timestamp t) { return Math.floorDiv(t.getTime(), 1L) * 1_000_000L + t.getNanos() % 1_000_000; }

  public static void main(String[] args) throws Exception {
    ClientConfiguration cfg = new ClientConfiguration().setAddresses(args[0] + ":" + args[1]);
    try (IgniteClient client = Ignition.startClient(cfg)) {
      String cacheName = args[2];
      String table = args[3];
      ClientCache<Long, BinaryObject> cache =
          client.getOrCreateCache(cacheName).withKeepBinary();
      Map<String, Integer> colors = new LinkedHashMap<>();
      colors.put("RED", 0);
      colors.put("GREEN", 1);
      colors.put("BLUE", 2);
      client.binary().registerEnum("ConfColor", colors);

      byte[] bytes = {Byte.MIN_VALUE, Byte.MAX_VALUE, 0, 7};
      short[] shorts = {Short.MIN_VALUE, Short.MAX_VALUE, 0, 3};
      int[] ints = {Integer.MIN_VALUE, Integer.MAX_VALUE, 0, 42};
      long[] longs = {Long.MIN_VALUE, Long.MAX_VALUE, 0, -5};
      float[] floats = {-Float.MAX_VALUE, Float.MAX_VALUE, Float.MIN_VALUE, 1.5f};
      double[] doubles = {-Double.MAX_VALUE, Double.MAX_VALUE, Double.MIN_VALUE, -0.25};
      char[] chars = {'a', '\u00e9', '\u4e16', '\uffff'};
      String[] strings = {"h\u00e9llo \u4e16\u754c \ud83d\ude42", "", null, "plain"};
      json.append("{\"objects\": [\n");
      for (int i = 0; i < 4; i++) {
        BinaryObjectBuilder b = client.binary().builder("Conformance");
        UUID uuid = new UUID(0x0123456789abcdefL * (i + 1), -1L - i);
        long ms = 1_700_000_000_123L + i * 86_400_000L - (i == 3 ? 1_800_000_000_000L : 0);
        Timestamp ts = new Timestamp(ms);
        ts.setNanos(123_456_789 + i);
        Time time = new Time(3_600_000L * i + 59_999);
        BigDecimal dec = new BigDecimal(i == 1 ? "-12345.6789" : "0.000" + i + "1");
        b.setField("b", bytes[i]);
        b.setField("s", shorts[i]);
        b.setField("n", ints[i]);
        b.setField("l", longs[i]);
        b.setField("f", floats[i]);
        b.setField("d", doubles[i]);
        b.setField("c", chars[i]);
        b.setField("z", i % 2 == 0);
        b.setField("str", strings[i], String.class);
        b.setField("u", uuid);
        b.setField("dt", new Date(ms));
        b.setField("ts", ts);
        b.setField("tm", time);
        b.setField("dec", dec);
        b.setField("e", client.binary().buildEnum("ConfColor", i % 3));
        byte[] ba = i == 2 ? new byte[0] : new byte[] {(byte) i, (byte) -1, 2};
        b.setField("ba", ba);
        b.setField("ia", new int[] {i, -i, Integer.MAX_VALUE});
        b.setField("da", new double[] {0.5 * i});
        b.setField("sa", new String[] {"x" + i, null, "\u00fc"});
        b.setField("ua", new UUID[] {uuid, new UUID(0, i)});
        ArrayList<Integer> coll = new ArrayList<>(Arrays.asList(i, i + 1, i + 2));
        b.setField("coll", coll);
        LinkedHashMap<String, Double> map = new LinkedHashMap<>();
        map.put("k" + i, 1.0 * i);
        map.put("\u00e4", -2.0);
        b.setField("map", map);
        BinaryObject[] items = new BinaryObject[2];
        for (int j = 0; j < 2; j++) {
          // Arrays inside an object array: lists of lists.
          items[j] = client.binary().builder("ConfItem").setField("name", "item" + i + j)
              .setField("qty", i * 10 + j).setField("scores", new int[] {i, j})
              .setField("tags", j == 0 ? new String[] {"t" + i, null} : new String[0]).build();
        }
        b.setField("items", items);
        // A List<List<String>> (an empty inner list) and an Object[] of int[] (a null inner array).
        List<List<String>> grid = new ArrayList<>();
        grid.add(new ArrayList<>(Arrays.asList("g" + i)));
        grid.add(new ArrayList<>());
        grid.add(new ArrayList<>(Arrays.asList("\u00e4", "z")));
        b.setField("grid", grid);
        b.setField("mats", new Object[] {new int[] {i, 1}, null, new int[0]});
        BinaryObject nested = client.binary().builder("ConfL5").setField("v", i * 100).build();
        for (int depth = 4; depth >= 1; depth--) {
          nested = client.binary().builder("ConfL" + depth).setField("next", nested).build();
        }
        b.setField("nested", nested);
        if (i == 3) b.setField("extra", "added later");  // a field a later version adds
        cache.put((long) i, b.build());

        List<String> fields = new ArrayList<>();
        fields.add("\"key\": " + i);
        fields.add("\"b\": " + (bytes[i] & 0xFF));
        fields.add("\"s\": " + shorts[i]);
        fields.add("\"n\": " + ints[i]);
        fields.add("\"l\": \"" + longs[i] + "\"");
        fields.add("\"f\": \"" + Float.toString(floats[i]) + "\"");
        fields.add("\"d\": \"" + Double.toString(doubles[i]) + "\"");
        fields.add("\"c\": " + (int) chars[i]);
        fields.add("\"z\": " + (i % 2 == 0));
        fields.add("\"str\": " + q(strings[i]));
        fields.add("\"u\": " + q(uuid.toString()));
        fields.add("\"dt\": " + ms);
        fields.add("\"ts\": \"" + nanos(ts) + "\"");
        fields.add("\"tm\": " + time.getTime());
        fields.add("\"dec\": \"" + dec.toPlainString() + "\"");
        fields.add("\"e\": {\"name\": " + q(new String[] {"RED", "GREEN", "BLUE"}[i % 3])
            + ", \"ordinal\": " + (i % 3) + "}");
        List<String> bl = new ArrayList<>();
        for (byte x : ba) bl.add(String.valueOf(x & 0xFF));
        fields.add("\"ba\": " + list(bl));
        fields.add("\"ia\": [" + i + ", " + (-i) + ", " + Integer.MAX_VALUE + "]");
        fields.add("\"da\": [" + (0.5 * i) + "]");
        fields.add("\"sa\": [" + q("x" + i) + ", null, " + q("\u00fc") + "]");
        fields.add("\"ua\": [" + q(uuid.toString()) + ", " + q(new UUID(0, i).toString()) + "]");
        fields.add("\"coll\": [" + i + ", " + (i + 1) + ", " + (i + 2) + "]");
        fields.add("\"map\": {\"keys\": [" + q("k" + i) + ", " + q("\u00e4") + "], \"values\": ["
            + (1.0 * i) + ", -2.0]}");
        fields.add("\"items\": {\"name\": [" + q("item" + i + "0") + ", " + q("item" + i + "1")
            + "], \"qty\": [" + (i * 10) + ", " + (i * 10 + 1) + "], \"scores\": [[" + i
            + ", 0], [" + i + ", 1]], \"tags\": [[" + q("t" + i) + ", null], []]}");
        fields.add("\"grid\": [[" + q("g" + i) + "], [], [" + q("\u00e4") + ", \"z\"]]");
        fields.add("\"mats\": [[" + i + ", 1], [], []]");
        fields.add("\"nested_v\": " + (i * 100));
        fields.add("\"extra\": " + (i == 3 ? q("added later") : "null"));
        json.append("  {").append(String.join(", ", fields)).append("}").append(i < 3 ? ",\n" : "\n");
      }
      json.append("],\n");

      // Every SQL column type, through SQL, with a row of NULLs.
      client.query(new SqlFieldsQuery("DROP TABLE IF EXISTS " + table)).getAll();
      client.query(new SqlFieldsQuery("CREATE TABLE " + table + " (ID BIGINT PRIMARY KEY, "
          + "BO BOOLEAN, TI TINYINT, SI SMALLINT, I INT, BI BIGINT, DE DECIMAL(20, 5), "
          + "DO DOUBLE, RE REAL, TM TIME, DA DATE, TS TIMESTAMP, VC VARCHAR, CH CHAR(4), "
          + "UU UUID, BY BINARY(8))")).getAll();
      String insert = "INSERT INTO " + table
          + " (ID, BO, TI, SI, I, BI, DE, DO, RE, TM, DA, TS, VC, CH, UU, BY) VALUES "
          + "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
      Timestamp sqlTs = Timestamp.valueOf("2024-02-29 12:34:56.789");
      UUID sqlUuid = UUID.fromString("00112233-4455-6677-8899-aabbccddeeff");
      client.query(new SqlFieldsQuery(insert).setArgs(1L, true, (byte) -7, (short) 300, -70000,
          9_000_000_000L, new BigDecimal("-1234.56789"), 2.5, 0.25f, Time.valueOf("23:59:58"),
          java.sql.Date.valueOf("2001-02-03"), sqlTs, "v\u00e4rchar", "abcd", sqlUuid,
          new byte[] {1, 2, (byte) 255})).getAll();
      client.query(new SqlFieldsQuery(insert).setArgs(2L, null, null, null, null, null, null,
          null, null, null, null, null, null, null, null, null)).getAll();
      List<List<?>> back = client.query(new SqlFieldsQuery(
          "SELECT TM, DA, TS FROM " + table + " WHERE ID = 1")).getAll();
      Time tm = (Time) back.get(0).get(0);
      java.sql.Date da = (java.sql.Date) back.get(0).get(1);
      Timestamp ts = (Timestamp) back.get(0).get(2);
      json.append("\"sql\": [{\"ID\": 1, \"BO\": true, \"TI\": " + ((byte) -7 & 0xFF)
          + ", \"SI\": 300, \"I\": -70000, \"BI\": 9000000000, \"DE\": \"-1234.56789\", "
          + "\"DO\": 2.5, \"RE\": 0.25, \"TM\": " + tm.getTime() + ", \"DA\": " + da.getTime()
          + ", \"TS\": \"" + nanos(ts) + "\", \"VC\": " + q("v\u00e4rchar")
          + ", \"CH\": \"abcd\", \"UU\": " + q(sqlUuid.toString()) + ", \"BY\": [1, 2, 255]},\n"
          + "  {\"ID\": 2}]}\n");
    }
    System.out.print(json);
  }
}
