vcl 4.1;
# Varnish in front of the newsroom (docs/caching.md, "CDN"). Needs the xkey
# vmod (Debian: varnish-modules). Caches what the app tags and nothing else:
# a public page answers with Surrogate-Key (its page-cache tags) and
# Cache-Control s-maxage; a purge after commit is a PURGE with an xkey-purge
# header (caching/edge.py, EDGE_PURGE=varnish).
#
# tests/stack/test_edge_purge.py starts varnishd with this file, the backend
# port replaced by its gunicorn's.

import xkey;

backend app {
    .host = "127.0.0.1";
    .port = "8000";
    .connect_timeout = 2s;
    .first_byte_timeout = 60s;
}

# Who may purge. Add the app servers' addresses when they run elsewhere.
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
            return (synth(400, "Name the keys in xkey-purge"));
        }
        set req.http.n-gone = xkey.purge(req.http.xkey-purge);
        return (synth(200, "Purged " + req.http.n-gone + " objects"));
    }
    # Posts (the comment form, the admin) and anything but reading go to the
    # app untouched: cookies, Origin and Sec-Fetch-Site included, so the
    # comment endpoints' CSRF rules (comments/csrf.py) hold as without us.
    if (req.method != "GET" && req.method != "HEAD") {
        set req.http.X-Edge = "pass";
        return (pass);
    }
    # Staff (a session) always get the live page.
    if (req.http.Cookie ~ "(^|;\s*)sessionid=" || req.http.Authorization) {
        set req.http.X-Edge = "pass";
        return (pass);
    }
    # Anonymous readers: other cookies (csrftoken, the reader's own id) do not
    # change a public page, so they do not keep it from the cache; they still
    # reach the app for the private endpoints, which are never cached (below).
    return (hash);
}

sub vcl_backend_response {
    if (bereq.uncacheable) {
        return (deliver);
    }
    # Keep only what the app tagged (what a purge can reach) and shared with
    # no cookie set: everything else is fetched anew for each reader.
    if (!beresp.http.Surrogate-Key || beresp.http.Set-Cookie
        || beresp.http.Cache-Control ~ "(private|no-store|no-cache)") {
        set beresp.uncacheable = true;
        set beresp.ttl = 10s;
        return (deliver);
    }
    # xkey indexes the object under each key of this header.
    set beresp.http.xkey = beresp.http.Surrogate-Key;
    return (deliver);
}

sub vcl_hit {
    set req.http.X-Edge = "hit";
}

sub vcl_miss {
    set req.http.X-Edge = "miss";
}

sub vcl_deliver {
    set resp.http.X-Edge = req.http.X-Edge;
    # The keys are for the edge, not for readers.
    unset resp.http.xkey;
    unset resp.http.Surrogate-Key;
    unset resp.http.Cache-Tag;
}
