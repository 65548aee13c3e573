package io.github.distlock.autoconfigure;

import java.net.URI;
import java.net.URISyntaxException;

import org.jspecify.annotations.Nullable;

/**
 * The parts of a {@code redis://} or {@code rediss://} URL, parsed once from a property. The URL can carry a
 * password: {@link #mask} is the only form of it that reaches a message or a log. Immutable.
 *
 * @param ssl whether the scheme is {@code rediss}
 * @param host the host
 * @param port the port, 6379 when the URL names none
 * @param username the user, or {@code null}
 * @param password the password, or {@code null}
 * @param database the database index, 0 when the URL names none
 */
record RedisUrl(boolean ssl, String host, int port, @Nullable String username, @Nullable String password,
        int database) {

    /**
     * Parses a URL property.
     * @param property the property's name, for messages
     * @param url its value
     * @return the parts
     * @throws SecretPropertyValueException naming the property, with the URL masked, if it is not a Redis URL
     */
    static RedisUrl parse(String property, String url) {
        URI uri;
        try {
            uri = new URI(url);
        }
        catch (URISyntaxException ex) {
            throw invalid(property, url, "is not a valid URL: " + ex.getReason());
        }
        String scheme = uri.getScheme();
        if (!"redis".equals(scheme) && !"rediss".equals(scheme)) {
            throw invalid(property, url, "must start with redis:// or rediss://");
        }
        if (uri.getHost() == null || uri.getHost().isBlank()) {
            throw invalid(property, url, "must name a host");
        }
        int database = 0;
        String path = uri.getPath();
        if (path != null && path.length() > 1) {
            try {
                database = Integer.parseInt(path.substring(1));
            }
            catch (NumberFormatException ex) {
                database = -1;
            }
            if (database < 0) {
                throw invalid(property, url, "must end with a database index (/0, /1, ...) or nothing");
            }
        }
        String user = null;
        String secret = null;
        String userInfo = uri.getUserInfo();
        if (userInfo != null) {
            int colon = userInfo.indexOf(':');
            user = (colon < 0) ? null : userInfo.substring(0, colon);
            secret = (colon < 0) ? userInfo : userInfo.substring(colon + 1);
            user = (user == null || user.isEmpty()) ? null : user;
            secret = secret.isEmpty() ? null : secret;
        }
        return new RedisUrl("rediss".equals(scheme), uri.getHost(), (uri.getPort() < 0) ? 6379 : uri.getPort(), user,
                secret, database);
    }

    /**
     * Returns the exception for an invalid URL property, which shows the URL masked and never lets Boot print it
     * from the environment.
     */
    static SecretPropertyValueException invalid(String property, String url, String reason) {
        return new SecretPropertyValueException(property, mask(url), reason, "Fix " + property
                + ": redis://[user:password@]host[:port][/database], or rediss://... for TLS (URL-encode a password "
                + "that holds @, / or :); or leave it unset and set host, port, username, password and database on "
                + "their own");
    }

    /**
     * Masks the user-info of a URL for messages and logs: everything between {@code //} and the last {@code @}
     * becomes {@code ******}, so neither the user nor a password (even one holding {@code @}, {@code /} or
     * {@code :}, as in a malformed URL) is shown.
     * @param url the URL as configured
     * @return the URL without its user-info
     */
    static String mask(String url) {
        int authority = url.indexOf("//");
        int at = url.lastIndexOf('@');
        if (authority < 0 || at < authority) {
            return url;
        }
        return url.substring(0, authority + 2) + "******" + url.substring(at);
    }

}
