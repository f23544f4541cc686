/*
 * pixie_net: the few socket calls Node's dgram cannot make (Linux).
 *
 * - IP_PKTINFO on receive: which interface a broadcast DHCP request came in
 *   on and which of our addresses it reached (ipi_spec_dst), so replies name
 *   the right server address on a multi-homed host.
 * - IP_PKTINFO on send: pick the outgoing interface and source address of a
 *   reply to 255.255.255.255, which routing alone cannot do.
 * - A raw IPPROTO_UDP socket with a classic BPF filter on the UDP destination
 *   port, to receive DHCP without binding port 67 (--dhcp-no-bind).
 *
 * Sockets are plain fds, non-blocking; readiness comes from a uv_poll_t on
 * Node's own loop, and JavaScript drains them with recv().
 */
#define _GNU_SOURCE
#include <node_api.h>
#include <uv.h>

#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define CHECK(call)                                                      \
  do {                                                                   \
    if ((call) != napi_ok) {                                             \
      napi_throw_error(env, "PIXIE_NATIVE", "N-API call failed: " #call); \
      return NULL;                                                       \
    }                                                                    \
  } while (0)

/* Throw an Error whose code is the errno name (EACCES, EADDRINUSE, ...). */
static napi_value throw_errno(napi_env env, const char *what, int err) {
  char msg[256];
  snprintf(msg, sizeof msg, "%s: %s", what, strerror(err));
  const char *name = strerrorname_np(err);
  napi_throw_error(env, name ? name : "EUNKNOWN", msg);
  return NULL;
}

static int get_args(napi_env env, napi_callback_info info, size_t want, napi_value *argv) {
  size_t argc = want;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < want) {
    napi_throw_type_error(env, NULL, "wrong number of arguments");
    return 0;
  }
  return 1;
}

static int get_ipv4(napi_env env, napi_value v, struct in_addr *out) {
  char buf[64];
  size_t len = 0;
  if (napi_get_value_string_utf8(env, v, buf, sizeof buf, &len) != napi_ok || inet_pton(AF_INET, buf, out) != 1) {
    napi_throw_type_error(env, NULL, "expected an IPv4 address string");
    return 0;
  }
  return 1;
}

static napi_value ip_string(napi_env env, struct in_addr a) {
  char buf[INET_ADDRSTRLEN];
  napi_value s;
  inet_ntop(AF_INET, &a, buf, sizeof buf);
  napi_create_string_utf8(env, buf, NAPI_AUTO_LENGTH, &s);
  return s;
}

/* open(address, port, raw) -> fd. raw: IPPROTO_UDP raw socket filtered to dport == port, not bound. */
static napi_value js_open(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  if (!get_args(env, info, 3, argv)) return NULL;
  struct in_addr addr;
  uint32_t port;
  bool raw;
  if (!get_ipv4(env, argv[0], &addr)) return NULL;
  CHECK(napi_get_value_uint32(env, argv[1], &port));
  CHECK(napi_get_value_bool(env, argv[2], &raw));

  int fd = raw ? socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP)
               : socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return throw_errno(env, raw ? "raw socket" : "socket", errno);
  int one = 1;
  if (setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof one) < 0 ||
      setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof one) < 0) {
    int e = errno;
    close(fd);
    return throw_errno(env, "setsockopt", e);
  }
  /* A boot storm arrives in bursts: ask for a deep receive queue (best effort; the
   * FORCE variant needs CAP_NET_ADMIN, the plain one is capped by rmem_max). */
  int rcvbuf = 1 << 20;
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) < 0) {
    (void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
  }
  if (raw) {
    /* Packets start at the IP header: drop fragments, accept UDP dport == port. */
    struct sock_filter code[] = {
        BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 6),
        BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 0x1fff, 4, 0),
        BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 0),
        BPF_STMT(BPF_LD | BPF_H | BPF_IND, 2),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, port, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, 0xffff),
        BPF_STMT(BPF_RET | BPF_K, 0),
    };
    struct sock_fprog prog = {.len = sizeof code / sizeof code[0], .filter = code};
    if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog) < 0) {
      int e = errno;
      close(fd);
      return throw_errno(env, "attach filter", e);
    }
    /* Drop whatever arrived before the filter was in place. */
    char scratch[2048];
    while (recv(fd, scratch, sizeof scratch, MSG_DONTWAIT) >= 0) {
    }
  } else {
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port), .sin_addr = addr};
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
        bind(fd, (struct sockaddr *)&sin, sizeof sin) < 0) {
      int e = errno;
      close(fd);
      char what[64];
      snprintf(what, sizeof what, "bind %s:%u", inet_ntoa(addr), port);
      return throw_errno(env, what, e);
    }
  }
  napi_value result;
  CHECK(napi_create_int32(env, fd, &result));
  return result;
}

/*
 * recv(fd, buffer) -> null when nothing is waiting, else
 * { length, ifindex, local, dest, address, port }: local = ipi_spec_dst (our
 * address on the arrival interface), dest = the header destination.
 */
static napi_value js_recv(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  if (!get_args(env, info, 2, argv)) return NULL;
  int32_t fd;
  void *data;
  size_t cap;
  CHECK(napi_get_value_int32(env, argv[0], &fd));
  CHECK(napi_get_buffer_info(env, argv[1], &data, &cap));

  struct sockaddr_in from;
  char control[CMSG_SPACE(sizeof(struct in_pktinfo))];
  struct iovec iov = {.iov_base = data, .iov_len = cap};
  struct msghdr msg = {.msg_name = &from, .msg_namelen = sizeof from, .msg_iov = &iov, .msg_iovlen = 1,
                       .msg_control = control, .msg_controllen = sizeof control};
  ssize_t n = recvmsg(fd, &msg, MSG_DONTWAIT);
  napi_value result;
  if (n < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
      CHECK(napi_get_null(env, &result));
      return result;
    }
    return throw_errno(env, "recvmsg", errno);
  }
  struct in_pktinfo pi = {0};
  for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) memcpy(&pi, CMSG_DATA(c), sizeof pi);
  }
  napi_value v;
  CHECK(napi_create_object(env, &result));
  CHECK(napi_create_uint32(env, (uint32_t)n, &v));
  CHECK(napi_set_named_property(env, result, "length", v));
  CHECK(napi_create_uint32(env, (uint32_t)(msg.msg_flags & MSG_TRUNC ? 1 : 0), &v));
  CHECK(napi_set_named_property(env, result, "truncated", v));
  CHECK(napi_create_int32(env, pi.ipi_ifindex, &v));
  CHECK(napi_set_named_property(env, result, "ifindex", v));
  CHECK(napi_set_named_property(env, result, "local", ip_string(env, pi.ipi_spec_dst)));
  CHECK(napi_set_named_property(env, result, "dest", ip_string(env, pi.ipi_addr)));
  CHECK(napi_set_named_property(env, result, "address", ip_string(env, from.sin_addr)));
  CHECK(napi_create_uint32(env, ntohs(from.sin_port), &v));
  CHECK(napi_set_named_property(env, result, "port", v));
  return result;
}

/* send(fd, buffer, address, port, ifindex, source) -> bytes sent; ifindex 0 = let routing choose. */
static napi_value js_send(napi_env env, napi_callback_info info) {
  napi_value argv[6];
  if (!get_args(env, info, 6, argv)) return NULL;
  int32_t fd, ifindex;
  uint32_t port;
  void *data;
  size_t len;
  struct in_addr dst, src;
  CHECK(napi_get_value_int32(env, argv[0], &fd));
  CHECK(napi_get_buffer_info(env, argv[1], &data, &len));
  if (!get_ipv4(env, argv[2], &dst)) return NULL;
  CHECK(napi_get_value_uint32(env, argv[3], &port));
  CHECK(napi_get_value_int32(env, argv[4], &ifindex));
  if (!get_ipv4(env, argv[5], &src)) return NULL;

  struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port), .sin_addr = dst};
  char control[CMSG_SPACE(sizeof(struct in_pktinfo))];
  memset(control, 0, sizeof control);
  struct iovec iov = {.iov_base = data, .iov_len = len};
  struct msghdr msg = {.msg_name = &to, .msg_namelen = sizeof to, .msg_iov = &iov, .msg_iovlen = 1,
                       .msg_control = control, .msg_controllen = sizeof control};
  struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = IPPROTO_IP;
  c->cmsg_type = IP_PKTINFO;
  c->cmsg_len = CMSG_LEN(sizeof(struct in_pktinfo));
  struct in_pktinfo pi = {.ipi_ifindex = ifindex, .ipi_spec_dst = src};
  memcpy(CMSG_DATA(c), &pi, sizeof pi);
  ssize_t n = sendmsg(fd, &msg, MSG_DONTWAIT);
  if (n < 0) return throw_errno(env, "sendmsg", errno);
  napi_value result;
  CHECK(napi_create_uint32(env, (uint32_t)n, &result));
  return result;
}

typedef struct {
  uv_poll_t poll;
  napi_env env;
  napi_ref callback;
  napi_async_context async;
} watcher_t;

static void on_readable(uv_poll_t *handle, int status, int events) {
  (void)status;
  (void)events;
  watcher_t *w = handle->data;
  napi_handle_scope scope;
  if (napi_open_handle_scope(w->env, &scope) != napi_ok) return;
  napi_value cb, recv_this;
  if (napi_get_reference_value(w->env, w->callback, &cb) == napi_ok && cb) {
    napi_get_global(w->env, &recv_this); /* make_callback needs an object as receiver */
    if (napi_make_callback(w->env, w->async, recv_this, cb, 0, NULL, NULL) != napi_ok) {
      /* A throwing callback must not vanish: hand it to process 'uncaughtException'. */
      bool pending = false;
      napi_value err;
      napi_is_exception_pending(w->env, &pending);
      if (pending && napi_get_and_clear_last_exception(w->env, &err) == napi_ok) napi_fatal_exception(w->env, err);
    }
  }
  napi_close_handle_scope(w->env, scope);
}

static void on_closed(uv_handle_t *handle) { free(handle->data); }

static void watcher_finalize(napi_env env, void *data, void *hint) {
  (void)hint;
  watcher_t *w = data;
  if (w->callback) {
    /* Never unwatched: stop polling now; the memory goes when the handle is closed. */
    napi_delete_reference(env, w->callback);
    napi_async_destroy(env, w->async);
    w->callback = NULL;
    uv_poll_stop(&w->poll);
    uv_close((uv_handle_t *)&w->poll, on_closed);
  }
}

/* watch(fd, callback) -> handle: callback() runs on the JS thread whenever fd is readable. */
static napi_value js_watch(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  if (!get_args(env, info, 2, argv)) return NULL;
  int32_t fd;
  CHECK(napi_get_value_int32(env, argv[0], &fd));
  struct uv_loop_s *loop;
  CHECK(napi_get_uv_event_loop(env, &loop));
  watcher_t *w = calloc(1, sizeof *w);
  if (!w) return throw_errno(env, "watch", ENOMEM);
  w->env = env;
  w->poll.data = w;
  napi_value name;
  CHECK(napi_create_string_utf8(env, "pixie_net.watch", NAPI_AUTO_LENGTH, &name));
  CHECK(napi_async_init(env, NULL, name, &w->async));
  CHECK(napi_create_reference(env, argv[1], 1, &w->callback));
  int rc = uv_poll_init(loop, &w->poll, fd);
  if (rc == 0) rc = uv_poll_start(&w->poll, UV_READABLE, on_readable);
  if (rc != 0) {
    napi_delete_reference(env, w->callback);
    napi_async_destroy(env, w->async);
    free(w);
    napi_throw_error(env, uv_err_name(rc), uv_strerror(rc));
    return NULL;
  }
  napi_value handle;
  CHECK(napi_create_external(env, w, watcher_finalize, NULL, &handle));
  return handle;
}

/* unwatch(handle): stop polling; safe to call twice. */
static napi_value js_unwatch(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (!get_args(env, info, 1, argv)) return NULL;
  watcher_t *w;
  CHECK(napi_get_value_external(env, argv[0], (void **)&w));
  if (w && w->callback) {
    napi_delete_reference(env, w->callback);
    napi_async_destroy(env, w->async);
    w->callback = NULL;
    uv_poll_stop(&w->poll);
    uv_close((uv_handle_t *)&w->poll, on_closed);
  }
  return NULL;
}

static napi_value js_close(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (!get_args(env, info, 1, argv)) return NULL;
  int32_t fd;
  CHECK(napi_get_value_int32(env, argv[0], &fd));
  if (fd >= 0) close(fd);
  return NULL;
}

/* ifName(index) -> interface name, or null. */
static napi_value js_if_name(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (!get_args(env, info, 1, argv)) return NULL;
  uint32_t index;
  CHECK(napi_get_value_uint32(env, argv[0], &index));
  char name[IF_NAMESIZE];
  napi_value result;
  if (index == 0 || !if_indextoname(index, name)) {
    CHECK(napi_get_null(env, &result));
  } else {
    CHECK(napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &result));
  }
  return result;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"open", NULL, js_open, NULL, NULL, NULL, napi_default, NULL},
      {"recv", NULL, js_recv, NULL, NULL, NULL, napi_default, NULL},
      {"send", NULL, js_send, NULL, NULL, NULL, napi_default, NULL},
      {"watch", NULL, js_watch, NULL, NULL, NULL, napi_default, NULL},
      {"unwatch", NULL, js_unwatch, NULL, NULL, NULL, napi_default, NULL},
      {"close", NULL, js_close, NULL, NULL, NULL, napi_default, NULL},
      {"ifName", NULL, js_if_name, NULL, NULL, NULL, napi_default, NULL},
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok) return NULL;
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
