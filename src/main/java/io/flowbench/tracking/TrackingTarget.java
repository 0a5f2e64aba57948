package io.flowbench.tracking;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * Where tracking goes, chosen from a {@code tracking.uri} string:
 * <ul>
 *   <li>empty/null: the local store only, at the default directory (./mlruns);</li>
 *   <li>a path or {@code file:} URI: the local store only, at that directory;</li>
 *   <li>{@code http://} or {@code https://}: an MLflow tracking server, mirrored from the local store at the
 *       default directory (the local record is always written);</li>
 *   <li>anything else ({@code sqlite:}, {@code postgresql:}, {@code databricks}, ...): an error that says how to
 *       serve that store with {@code mlflow server} and point tracking.uri at it.</li>
 * </ul>
 */
public record TrackingTarget(Path localStore, Optional<URI> server) {

    public static final Path DEFAULT_LOCAL_STORE = Path.of("mlruns");

    public static TrackingTarget parse(String trackingUri) {
        return parse(trackingUri, DEFAULT_LOCAL_STORE);
    }

    public static TrackingTarget parse(String trackingUri, Path defaultLocalStore) {
        String u = trackingUri == null ? "" : trackingUri.strip();
        if (u.isEmpty()) {
            return new TrackingTarget(defaultLocalStore, Optional.empty());
        }
        int colon = u.indexOf(':');
        String scheme = u.equals("databricks") ? "databricks" : colon > 1 && u.substring(0, colon).matches("[A-Za-z][A-Za-z0-9+.-]*")
                ? u.substring(0, colon).toLowerCase(Locale.ROOT) : "";
        switch (scheme) {
            case "" -> {
                return new TrackingTarget(Path.of(u), Optional.empty());
            }
            case "file" -> {
                String rest = u.substring("file:".length());
                if (rest.isBlank() || rest.equals("//")) {
                    throw new TrackingException("tracking.uri '" + u + "' names no directory; write file:./mlruns, "
                            + "file:///abs/path or just a path");
                }
                try {
                    return new TrackingTarget(rest.startsWith("//") ? Path.of(new URI(u)) : Path.of(rest), Optional.empty());
                } catch (URISyntaxException | IllegalArgumentException e) {
                    throw new TrackingException("tracking.uri '" + u + "' is not a valid file URI (" + e.getMessage()
                            + "); write file:///abs/path or just a path", e);
                }
            }
            case "http", "https" -> {
                URI uri;
                try {
                    uri = new URI(u);
                } catch (URISyntaxException e) {
                    throw new TrackingException("tracking.uri '" + u + "' is not a valid URL (" + e.getMessage()
                            + "); write it like http://127.0.0.1:5000", e);
                }
                if (uri.getHost() == null) {
                    throw new TrackingException("tracking.uri '" + u + "' has no host (or a malformed one); write it "
                            + "like http://127.0.0.1:5000");
                }
                if (uri.getPort() > 65535) {
                    throw new TrackingException("tracking.uri '" + u + "': port " + uri.getPort() + " is not a TCP port "
                            + "(1..65535); write it like http://127.0.0.1:5000");
                }
                if (uri.getQuery() != null || uri.getFragment() != null) {
                    throw new TrackingException("tracking.uri '" + u + "' has a query or fragment (" + (uri.getFragment()
                            != null ? "#" + uri.getFragment() : "?" + uri.getQuery()) + "); give the server's base URL, "
                            + "like http://127.0.0.1:5000, not a page of its UI");
                }
                return new TrackingTarget(defaultLocalStore, Optional.of(uri));
            }
            default -> throw new TrackingException("tracking.uri '" + u + "' is not supported: flowbench writes the "
                    + "local store (a directory such as ./mlruns) itself and talks to MLflow servers over HTTP. To use "
                    + "that backend, serve it: `mlflow server --backend-store-uri " + u + " --host 127.0.0.1 --port 5000`, "
                    + "and set tracking.uri to http://127.0.0.1:5000.");
        }
    }
}
