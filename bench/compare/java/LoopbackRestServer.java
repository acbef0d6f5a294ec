// Starts the Iceberg REST reference server (org.apache.iceberg.rest.RESTCatalogServer from the
// iceberg-open-api test fixtures) on 127.0.0.1 only.
//
// RESTCatalogServer.start() builds its Jetty server with `new Server(port)`, which listens on every
// interface, and has no host setting. This launcher reuses the server's own catalog set-up (the
// private initializeBackendCatalog: CATALOG_* environment variables, JDBC catalog on SQLite in
// memory by default) and the same servlet and gzip handler, but binds the connector to loopback.
// The fixture classes are package-private, so they are reached by reflection.
//
//   java -cp <classpath> LoopbackRestServer <port>
//
// It prints "LOOPBACK_REST_SERVER_READY <port>" once Jetty accepts connections.

import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.util.HashMap;
import java.util.Map;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.gzip.GzipHandler;
import org.eclipse.jetty.servlet.ServletContextHandler;
import org.eclipse.jetty.servlet.ServletHolder;

public final class LoopbackRestServer {
  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    Map<String, String> config = new HashMap<>();
    config.put("rest.port", String.valueOf(port));

    Class<?> serverClass = Class.forName("org.apache.iceberg.rest.RESTCatalogServer");
    Constructor<?> newServer = serverClass.getDeclaredConstructor(Map.class);
    newServer.setAccessible(true);
    Object fixture = newServer.newInstance(config);
    Method init = serverClass.getDeclaredMethod("initializeBackendCatalog");
    init.setAccessible(true);
    Object catalogContext = init.invoke(fixture);

    Class<?> contextClass = Class.forName("org.apache.iceberg.rest.RESTCatalogServer$CatalogContext");
    Class<?> adapterClass = Class.forName("org.apache.iceberg.rest.RESTServerCatalogAdapter");
    Constructor<?> newAdapter = adapterClass.getDeclaredConstructor(contextClass);
    newAdapter.setAccessible(true);
    Object adapter = newAdapter.newInstance(catalogContext);

    Class<?> restAdapterClass = Class.forName("org.apache.iceberg.rest.RESTCatalogAdapter");
    Class<?> servletClass = Class.forName("org.apache.iceberg.rest.RESTCatalogServlet");
    Constructor<?> newServlet = servletClass.getDeclaredConstructor(restAdapterClass);
    newServlet.setAccessible(true);
    jakarta.servlet.Servlet servlet = (jakarta.servlet.Servlet) newServlet.newInstance(adapter);

    ServletContextHandler context = new ServletContextHandler(ServletContextHandler.NO_SESSIONS);
    context.addServlet(new ServletHolder(servlet), "/*");
    context.insertHandler(new GzipHandler());

    Server http = new Server();
    ServerConnector connector = new ServerConnector(http);
    connector.setHost("127.0.0.1");
    connector.setPort(port);
    http.addConnector(connector);
    http.setHandler(context);
    http.start();
    System.out.println("LOOPBACK_REST_SERVER_READY " + port);
    http.join();
  }
}
