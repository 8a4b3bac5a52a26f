// Writes objects whose binary layout ignite_tf must follow rather than assume, with Apache
// Ignite's own Java thin client: full (non-compact) footers, and handles (type 102) for an object
// referenced twice in one value (a field and both elements of an array); and, in a second cache,
// a field of a type ignite_tf does not read (java.lang.Class, type 32). Prints the rows as JSON.
// Usage: java LayoutWriter host port cache unsupported_cache
import org.apache.ignite.Ignition;
import org.apache.ignite.client.ClientCache;
import org.apache.ignite.client.IgniteClient;
import org.apache.ignite.configuration.BinaryConfiguration;
import org.apache.ignite.configuration.ClientConfiguration;

public class LayoutWriter {
  public static class Point {
    int x;
    int y;

    Point(int x, int y) {
      this.x = x;
      this.y = y;
    }
  }

  public static class Pair {
    int id;
    Point a;
    Point b;
    Point[] both;
  }

  public static class WithClass {
    int id;
    Class<?> kind;
  }

  public static void main(String[] args) throws Exception {
    ClientConfiguration cfg =
        new ClientConfiguration()
            .setAddresses(args[0] + ":" + args[1])
            .setBinaryConfiguration(new BinaryConfiguration().setCompactFooter(false))
            // Otherwise the client takes the server's binary configuration (compact footers).
            .setAutoBinaryConfigurationEnabled(false);
    try (IgniteClient client = Ignition.startClient(cfg)) {
      ClientCache<Long, Object> cache = client.getOrCreateCache(args[2]);
      StringBuilder json = new StringBuilder("{\"rows\": [");
      for (int k = 0; k < 20; k++) {
        Pair p = new Pair();
        p.id = k;
        p.a = new Point(k, -k);
        p.b = p.a; // the same instance: written as a handle to field a
        p.both = new Point[] {p.a, p.a};
        cache.put((long) k, p);
        json.append(k == 0 ? "" : ", ")
            .append(String.format("{\"key\": %d, \"x\": %d, \"y\": %d}", k, p.a.x, p.a.y));
      }
      WithClass w = new WithClass();
      w.id = 1;
      w.kind = String.class;
      client.getOrCreateCache(args[3]).put(1L, w);
      System.out.println(json.append("]}"));
    }
  }
}
