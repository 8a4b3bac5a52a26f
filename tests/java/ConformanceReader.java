// Reads what ignite_tf wrote with Apache Ignite's own Java thin client and prints every value as
// JSON with its exact Java type, so tests/test_java_reads.py can check ignite_tf's encoders
// against Java's decoder (the opposite direction of ConformanceWriter).
// Usage: java ConformanceReader host port COMMAND...; the commands, each answered in order:
//   scan CACHE           every entry of the cache (keep-binary): {"entries": [{"key", "val"}]}
//   sql QUERY            a SqlFieldsQuery: {"columns": [...], "rows": [[...], ...]}, or
//                        {"error": message} when the query fails
//   get CACHE KEY        one value by key (keep-binary): {"found": bool, "val": ...}; KEY is
//                        long:5, string:abc, uuid:..., or object:TYPE|NAME=int:3|NAME=string:x
// Arguments are ASCII: other characters come as backslash-u escapes of their UTF-16 units (the
// platform's argument encoding is not always UTF-8).
// A value is described as {"t": its Java type, ...}: numbers as "v" (integers in decimal, float
// and double as the hex of their raw bits, "bits"), Timestamp as "ms" and "nanos" (getTime(),
// getNanos()), Date/Time as "ms", BigDecimal as "unscaled" and "scale", arrays, collections and
// maps as "v" lists (maps of [key, value] pairs, in iteration order), binary objects as "type",
// "fields" (present fields only) and "meta" (the field types the cluster's metadata records),
// binary enums as "type", "ordinal" and "name".
import java.lang.reflect.Array;
import java.math.BigDecimal;
import java.sql.Time;
import java.sql.Timestamp;
import java.util.*;
import javax.cache.Cache;
import org.apache.ignite.Ignition;
import org.apache.ignite.binary.BinaryObject;
import org.apache.ignite.binary.BinaryObjectBuilder;
import org.apache.ignite.binary.BinaryType;
import org.apache.ignite.cache.query.FieldsQueryCursor;
import org.apache.ignite.cache.query.QueryCursor;
import org.apache.ignite.cache.query.ScanQuery;
import org.apache.ignite.cache.query.SqlFieldsQuery;
import org.apache.ignite.client.ClientCache;
import org.apache.ignite.client.IgniteClient;
import org.apache.ignite.configuration.ClientConfiguration;

public class ConformanceReader {
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

  static String unescape(String s) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      if (s.startsWith("\\u", i) && i + 6 <= s.length()) {
        b.append((char) Integer.parseInt(s.substring(i + 2, i + 6), 16));
        i += 5;
      } else {
        b.append(s.charAt(i));
      }
    }
    return b.toString();
  }

  static String typed(String type, String rest) {
    return "{\"t\": " + q(type) + ", " + rest + "}";
  }

  static String items(Iterable<?> values) {
    List<String> out = new ArrayList<>();
    for (Object v : values) out.add(describe(v));
    return "[" + String.join(", ", out) + "]";
  }

  static String describe(Object o) {
    if (o == null) return "null";
    if (o instanceof BinaryObject) {
      BinaryObject b = (BinaryObject) o;
      BinaryType type = b.type();
      if (type.isEnum()) {
        return typed("enum", "\"type\": " + q(type.typeName()) + ", \"ordinal\": "
            + b.enumOrdinal() + ", \"name\": " + q(b.enumName()));
      }
      List<String> fields = new ArrayList<>();
      List<String> meta = new ArrayList<>();
      for (String name : type.fieldNames()) {
        meta.add(q(name) + ": " + q(type.fieldTypeName(name)));
        if (b.hasField(name)) fields.add(q(name) + ": " + describe(b.field(name)));
      }
      return typed("object", "\"type\": " + q(type.typeName()) + ", \"fields\": {"
          + String.join(", ", fields) + "}, \"meta\": {" + String.join(", ", meta) + "}");
    }
    if (o instanceof Boolean) return typed("Boolean", "\"v\": " + o);
    if (o instanceof Byte || o instanceof Short || o instanceof Integer || o instanceof Long) {
      return typed(o.getClass().getSimpleName(), "\"v\": \"" + o + "\"");
    }
    if (o instanceof Character) return typed("Character", "\"v\": " + (int) (Character) o);
    if (o instanceof Float) {
      int bits = Float.floatToRawIntBits((Float) o);
      return typed("Float", "\"bits\": \"" + String.format("%08x", bits) + "\"");
    }
    if (o instanceof Double) {
      long bits = Double.doubleToRawLongBits((Double) o);
      return typed("Double", "\"bits\": \"" + String.format("%016x", bits) + "\"");
    }
    if (o instanceof String) return typed("String", "\"v\": " + q((String) o));
    if (o instanceof UUID) return typed("UUID", "\"v\": " + q(o.toString()));
    if (o instanceof Timestamp) {
      Timestamp t = (Timestamp) o;
      return typed("Timestamp", "\"ms\": " + t.getTime() + ", \"nanos\": " + t.getNanos());
    }
    if (o instanceof Time) return typed("Time", "\"ms\": " + ((Time) o).getTime());
    if (o instanceof java.sql.Date) {
      return typed("java.sql.Date", "\"ms\": " + ((java.sql.Date) o).getTime());
    }
    if (o instanceof Date) return typed("Date", "\"ms\": " + ((Date) o).getTime());
    if (o instanceof BigDecimal) {
      BigDecimal d = (BigDecimal) o;
      return typed("BigDecimal", "\"unscaled\": \"" + d.unscaledValue() + "\", \"scale\": "
          + d.scale() + ", \"text\": " + q(d.toString()));
    }
    if (o instanceof Map) {
      List<String> pairs = new ArrayList<>();
      for (Map.Entry<?, ?> e : ((Map<?, ?>) o).entrySet()) {
        pairs.add("[" + describe(e.getKey()) + ", " + describe(e.getValue()) + "]");
      }
      return typed(o.getClass().getSimpleName(), "\"v\": [" + String.join(", ", pairs) + "]");
    }
    if (o instanceof Collection) {
      return typed(o.getClass().getSimpleName(), "\"v\": " + items((Collection<?>) o));
    }
    if (o.getClass().isArray()) {
      List<Object> elements = new ArrayList<>();
      for (int i = 0; i < Array.getLength(o); i++) elements.add(Array.get(o, i));
      return typed(o.getClass().getSimpleName(), "\"v\": " + items(elements));
    }
    return typed(o.getClass().getName(), "\"v\": " + q(o.toString()));
  }

  static Object typedValue(IgniteClient client, String spec) {
    int colon = spec.indexOf(':');
    String kind = spec.substring(0, colon);
    String text = spec.substring(colon + 1);
    switch (kind) {
      case "long":
        return Long.parseLong(text);
      case "int":
        return Integer.parseInt(text);
      case "string":
        return text;
      case "uuid":
        return UUID.fromString(text);
      case "object": {
        String[] parts = text.split("\\|");
        BinaryObjectBuilder b = client.binary().builder(parts[0]);
        for (int i = 1; i < parts.length; i++) {
          int eq = parts[i].indexOf('=');
          b.setField(parts[i].substring(0, eq), typedValue(client, parts[i].substring(eq + 1)));
        }
        return b.build();
      }
      default:
        throw new IllegalArgumentException("unknown key kind " + kind);
    }
  }

  public static void main(String[] args) throws Exception {
    ClientConfiguration cfg = new ClientConfiguration().setAddresses(args[0] + ":" + args[1]);
    List<String> results = new ArrayList<>();
    try (IgniteClient client = Ignition.startClient(cfg)) {
      for (int a = 2; a < args.length; a++) args[a] = unescape(args[a]);
      for (int i = 2; i < args.length; ) {
        String command = args[i++];
        if (command.equals("scan")) {
          ClientCache<Object, Object> cache = client.cache(args[i++]).withKeepBinary();
          List<String> entries = new ArrayList<>();
          try (QueryCursor<Cache.Entry<Object, Object>> cursor =
                   cache.query(new ScanQuery<Object, Object>())) {
            for (Cache.Entry<Object, Object> e : cursor) {
              entries.add("{\"key\": " + describe(e.getKey()) + ", \"val\": "
                  + describe(e.getValue()) + "}");
            }
          }
          results.add("{\"entries\": [" + String.join(",\n  ", entries) + "]}");
        } else if (command.equals("sql")) {
          List<String> rows = new ArrayList<>();
          List<String> columns = new ArrayList<>();
          try (FieldsQueryCursor<List<?>> cursor =
                   client.query(new SqlFieldsQuery(args[i++]))) {
            for (List<?> row : cursor) rows.add(items(row));
            // The names come with the first page.
            for (int c = 0; c < cursor.getColumnsCount(); c++) {
              columns.add(q(cursor.getFieldName(c)));
            }
          } catch (RuntimeException e) {  // the server's refusal, for the test to show
            results.add("{\"error\": " + q(String.valueOf(e.getMessage())) + "}");
            continue;
          }
          results.add("{\"columns\": [" + String.join(", ", columns) + "], \"rows\": ["
              + String.join(",\n  ", rows) + "]}");
        } else if (command.equals("get")) {
          ClientCache<Object, Object> cache = client.cache(args[i++]).withKeepBinary();
          Object key = typedValue(client, args[i++]);
          boolean found = cache.containsKey(key);
          results.add("{\"found\": " + found + ", \"val\": " + describe(cache.get(key)) + "}");
        } else {
          throw new IllegalArgumentException("unknown command " + command);
        }
      }
    }
    System.out.print("{\"results\": [\n" + String.join(",\n", results) + "\n]}\n");
  }
}
