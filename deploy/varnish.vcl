# Varnish in front of the load balancer: the edge that keeps anonymous readers' pages.
#
# The app says what may be kept (newsroom/edge.py): a page every anonymous reader shares
# carries `Cache-Control: public, max-age=0, s-maxage=..., stale-while-revalidate=...,
# stale-if-error=...` and an `xkey` header naming the article(s) it shows and `site`. Nothing
# else is kept (no TTL is guessed for an answer without keys), a request with a reader's own
# cookie passes straight through, and the task worker purges exactly the keys a change
# touched with `PURGE` + `xkey-purge: article-12` (xkey vmod, Debian's varnish-modules).
# `make cluster` runs this file as it is; in production, point the backend at the load
# balancer and list the app hosts (the purgers) in the acl.
vcl 4.1;

import std;
import xkey;

backend default {
    .host = "127.0.0.1";
    .port = "8090";
    .connect_timeout = 2s;
    .first_byte_timeout = 30s;
    .between_bytes_timeout = 10s;
    # Sick only when the load balancer has not answered four checks in five (a busy
    # moment is not an outage: a sick backend means stale pages or errors for everyone).
    .probe = {
        .url = "/healthz";
        .interval = 3s;
        .timeout = 5s;
        .window = 5;
        .threshold = 2;
    }
}

# Who may purge: the hosts the task workers run on.
acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(403, "Forbidden"));
        }
        if (!req.http.xkey-purge) {
            return (synth(400, "An xkey-purge header is required"));
        }
        # A hard purge: the next reader gets the new page, never the old one while it is
        # fetched (a soft purge would serve the old copy during stale-while-revalidate).
        set req.http.n-gone = xkey.purge(req.http.xkey-purge);
        return (synth(200, "Purged " + req.http.n-gone));
    }
    unset req.http.xkey-purge;
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    # A reader's own page: signed in, a guest's key, flash messages, or a write moments ago
    # (newsroom/dbrouter.py keeps that reader on the primary database).
    if (req.http.Cookie ~ "(^|;\s*)(sessionid|newsroom_guest|messages|newsroom_primary)=") {
        return (pass);
    }
    if (req.http.Authorization || req.url ~ "^/(admin|accounts)/") {
        return (pass);
    }
    # Any other cookie (a CSRF cookie, analytics) changes nothing on a shared page.
    unset req.http.Cookie;
    # The site speaks one language (settings.LANGUAGES), so every reader shares one copy
    # whatever their browser asks for; with more, map this header to the supported ones here.
    unset req.http.Accept-Language;
    # While the app hosts answer, a stale copy is served only for the app's
    # stale-while-revalidate (NEWSROOM_EDGE_STALE_WHILE_REVALIDATE, 30 s) while a fresh one is
    # fetched; when they do not, for as long as its stale-if-error (the object's grace).
    if (std.healthy(req.backend_hint)) {
        set req.grace = 30s;
    }
    return (hash);
}

sub vcl_backend_response {
    # Only what the app marked as shared, and static files (hashed names, kept as WhiteNoise
    # says), are kept; an answer that sets a cookie never is.
    if ((!beresp.http.xkey && bereq.url !~ "^/static/") || beresp.http.Set-Cookie) {
        set beresp.uncacheable = true;
        set beresp.ttl = 10s;
        return (deliver);
    }
    if (beresp.http.Cache-Control ~ "stale-if-error=[0-9]+") {
        set beresp.grace = std.duration(
            regsub(beresp.http.Cache-Control, "^.*stale-if-error=([0-9]+).*$", "\1") + "s", 0s);
    }
    return (deliver);
}

sub vcl_deliver {
    # The keys are for this cache; browsers need not see them.
    unset resp.http.xkey;
    if (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
    } else {
        set resp.http.X-Cache = "MISS";
    }
}
