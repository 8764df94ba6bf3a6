"""The C glue of one interface: header and source (the interface generator)."""

import re

from c_text import member, snake_case, wrap
from message_codecs import Codecs, Validity, clear
from wire_constants import *  # noqa: F401,F403


def handle_array(gen, var, msg, deref):
    """(array name, lines) of the addresses of `msg`'s handle fields in `var`; (None, [])."""
    fields = gen.handle_fields(msg)
    if not fields:
        return None, []
    arr = "%s_handles" % var
    refs = ", ".join("&%s%s%s" % (var, deref, f.name) for f in fields)
    return arr, ["\tuint32_t *const %s[] = {%s};" % (arr, refs)]


def header_preamble(iface, banner, guard, pb_h):
    """The header's includes and #defines."""
    name, upper = iface.name, iface.name.upper()
    max_req = max([m["request_max"] for m in iface.methods] + [HEADER_BYTES])
    max_rep = max([m["reply_max"] for m in iface.methods] + [HEADER_BYTES])
    h = [banner, "#ifndef " + guard, "#define " + guard, "",
         "#include <stdbool.h>", "#include <stdint.h>", "",
         "#include <viper/ring.h>", "#include <viper/rpc.h>", "#include <viper/rpc_codec.h>", "",
         '#include "%s"' % pb_h, "",
         "#ifdef __cplusplus", 'extern "C" {', "#endif", ""]
    defines = [("%s_INTERFACE_ID" % upper, "%du" % iface.id),
               ("%s_BULK_BYTES" % upper, "%du" % iface.bulk),
               ("%s_MAX_REQUEST" % upper, "%du" % max_req),
               ("%s_MAX_REPLY" % upper, "%du" % max_rep)]
    width = max(len(d[0]) for d in defines)
    h += ["#define %-*s %s" % (width, k, v) for k, v in defines] + [""]
    mdefs = [("%s_METHOD_%s" % (upper, m["name"].upper()), "%du" % m["id"])
             for m in iface.methods]
    if mdefs:
        width = max(len(d[0]) for d in mdefs)
        h += ["#define %-*s %s" % (width, k, v) for k, v in mdefs] + [""]
    return h + ["/* The interface, for a provider's VIPER_COMPONENT provides list. */",
                "extern const struct viper_interface %s_interface;" % name, ""]


def server_vtable(iface):
    """struct <iface>_server, the dispatch's and the remote halves' declarations."""
    name, src = iface.name, iface.file.name
    h = ["/*", " * What a provider of %s implements (service %s in %s)." %
         (name, iface.service.name, src),
         " * Each function gets the instance state, the call's context, the decoded",
         " * request and a zeroed reply to fill; it returns VIPER_OK (or a positive",
         " * status) or a negative viper error, in which case the reply is not sent.",
         " * It must not keep pointers into req or rep after returning. A NULL entry",
         " * answers VIPER_E_NOSYS.", " */",
         "struct %s_server {" % name]
    for m in iface.methods:
        for c in m["comment"]:
            h.append("\t/* %s */" % c.replace("*/", "* /"))
        h += wrap(1, "int32_t (*%s)" % member(m["name"]),
                  ["void *self", "struct viper_rpc_context *ctx",
                   "const %s *req" % m["request"].c_type, "%s *rep" % m["reply"].c_type], ";")
    h += ["};", ""]
    h += ["/* Serves one request for a provider (viper_dispatch_fn, see viper/rpc.h). */",
          "int32_t %s_dispatch(const void *ops, void *self, struct viper_rpc_context *ctx," % name,
          "\t\t    const struct viper_rpc_in *in, struct viper_rpc_out *out);", ""]
    h += ["/* The remote halves of the client stubs below; call those instead. */"]
    for m in iface.methods:
        h += wrap(0, "int32_t %s_%s_remote" % (name, m["name"]),
                  ["struct viper_slot *slot", "const %s *req" % m["request"].c_type,
                   "%s *rep" % m["reply"].c_type], ";")
    return h + [""]


def complete_declarations(iface):
    """The declarations of <iface>_<method>_complete for deferrable methods."""
    deferrable = [m for m in iface.methods if m["deferrable"]]
    if not deferrable:
        return []
    h = ["/*",
         " * Answers a call a (viper.deferrable) method kept with vc_defer, exactly",
         " * once: VIPER_OK, VIPER_E_PEERCLOSED when the caller gave up or ended,",
         " * VIPER_E_BADHANDLE for a token answered already or never given,",
         " * VIPER_E_INVAL for another method's token. `rep` (unused for a negative",
         " * status) goes to the caller, its handles with it.",
         " */"]
    for m in deferrable:
        h += wrap(0, "int32_t %s_%s_complete" % (iface.name, m["name"]),
                  ["viper_deferred_t token", "int32_t status", "%s *rep" % m["reply"].c_type],
                  ";")
    return h + [""]


def header_lines(gen, iface, codecs, banner):
    """The lines of <iface>.viper.h."""
    base = iface.file.name[:-len(".proto")]
    guard = re.sub(r"[^A-Za-z0-9]", "_", base).upper() + "_VIPER_H"
    h = header_preamble(iface, banner, guard, base + ".pb.h")
    h += server_vtable(iface) + complete_declarations(iface)
    h += ["/* Each message's encoder and decoder (struct viper_codec in viper/rpc_codec.h). */"]
    h += ["extern const struct viper_codec %s;" % codecs.name(msg) for msg in codecs.order]
    h.append("")
    validity = Validity(gen, iface)
    valid_fn = {m["name"]: validity.function_for(m["request"]) for m in iface.methods}
    if validity.functions:
        h += ["/* What a direct call checks, as the remote path's encoder would. */"]
    for msg, fn, body in validity.functions:
        h += ["static inline bool %s(const %s *m)" % (fn, msg.c_type), "{"]
        h += ["\t" + l for l in body] + ["\treturn true;", "}", ""]
    h += ring_lines(gen, iface)
    h += ["/*",
          " * Client stubs: call method <name> through `slot`. A provider in the same",
          " * address space is called directly (under its entry lock when several",
          " * threads can reach it); otherwise the request goes over the slot's",
          " * channel. Both ways the reply holds its defaults first, handles in the",
          " * request move to the provider and the result is the method's status or a",
          " * negative viper error (VIPER_E_INVAL for a request out of its bounds).",
          " */"]
    for m in iface.methods:
        h += direct_stub(gen, iface, m, valid_fn[m["name"]])
    return h + ["#ifdef __cplusplus", "}", "#endif", "", "#endif"]


def remote_half(gen, iface, m, codecs):
    """<iface>_<method>_remote: encode, lend, call over the slot's channel, decode."""
    name, upper = iface.name, iface.name.upper()
    req, rep = m["request"].c_type, m["reply"].c_type
    req_arr, lines = handle_array(gen, "body", m["request"], ".")
    plain = not req_arr and not gen.handle_fields(m["reply"])
    c = []
    if plain:
        c += ["static const struct viper_rpc_method %s_%s_method = {" % (name, m["name"]),
              "\t%s_INTERFACE_ID, %s_METHOD_%s, %du, &%s, &%s," % (
                  upper, upper, m["name"].upper(), m["reply_max"], codecs.name(m["request"]),
                  codecs.name(m["reply"])),
              "};", ""]
    c += wrap(0, "int32_t %s_%s_remote" % (name, m["name"]),
              ["struct viper_slot *slot", "const %s *req" % req, "%s *rep" % rep], "")
    c += ["{"]
    body_ref = "req"
    c += clear(m["reply"], "*rep", 1)
    if plain:
        return c + ["\treturn viper_rpc_call_plain(slot, &%s_%s_method, req, rep);" % (
            name, m["name"]), "}", ""]
    if req_arr:
        c += ["\t%s body = *req;" % req]
        c += lend_lines(gen, m["request"])
        c += lines
        c += ["\tviper_handle_t handles[VIPER_MSG_MAX_HANDLES];",
              "\tuint32_t handle_count = viper_rpc_give_handles(%s, %d, handles);" %
              (req_arr, len(gen.handle_fields(m["request"])))]
        body_ref = "&body"
    rep_arr, lines = handle_array(gen, "rep", m["reply"], "->")
    c += lines
    c += wrap(1, "return viper_rpc_call",
              ["slot", "&%s_interface" % name, "%s_METHOD_%s" % (upper, m["name"].upper()),
               "%du" % m["reply_max"], "&" + codecs.name(m["request"]),
               body_ref, "handles" if req_arr else "NULL",
               "handle_count" if req_arr else "0", "&" + codecs.name(m["reply"]), "rep",
               rep_arr or "NULL", str(len(gen.handle_fields(m["reply"])))], ";")
    return c + ["}", ""]


def dispatch_leases(gen, m):
    """A dispatch case's lines opening the request's leases into ctx."""
    leases = gen.lease_fields(m["request"])
    if not leases:
        return []
    c = ["\t\tstruct viper_lease_view leases[%d];" % len(leases)]
    c += lease_open_lines(gen, m["request"], "req.", 2,
                          ["out->handles_taken = false; /* the host closes them */",
                           "return viper_rpc_reply_error(out, hdr.request_id, lease_err);"])
    c += ["\t\tctx->leases = leases;", "\t\tctx->lease_count = %d;" % len(leases)]
    if m["deferrable"]:
        c += ["\t\tif (ctx->call != NULL) {", "\t\t\tctx->call->leases = leases;",
              "\t\t\tctx->call->lease_count = %d;" % len(leases), "\t\t}"]
    return c


def dispatch_case(gen, iface, m, codecs):
    """One method's case of <iface>_dispatch: decode, leases, call, keep or reply."""
    upper = iface.name.upper()
    req, rep = m["request"].c_type, m["reply"].c_type
    c = ["\tcase %s_METHOD_%s: {" % (upper, m["name"].upper()),
         "\t\t%s req;" % req, "\t\t%s rep;" % rep]
    c += clear(m["request"], "req", 2) + clear(m["reply"], "rep", 2)
    req_arr, lines = handle_array(gen, "req", m["request"], ".")
    c += ["\t" + l for l in lines]
    rep_arr, lines = handle_array(gen, "rep", m["reply"], ".")
    c += ["\t" + l for l in lines]
    c += ["\t\tif (server->%s == NULL)" % member(m["name"]),
          "\t\t\treturn viper_rpc_reply_error(out, hdr.request_id, VIPER_E_NOSYS);"]
    if req_arr:
        c += wrap(2, "status = viper_rpc_decode_request",
                  ["in", "&" + codecs.name(m["request"]), "&req", req_arr,
                   str(len(gen.handle_fields(m["request"])))], ";")
    else:
        c += wrap(2, "status = viper_rpc_decode_plain",
                  ["in", "&" + codecs.name(m["request"]), "&req"], ";")
    c += [
          "\t\tif (status < 0)",
          "\t\t\treturn viper_rpc_reply_error(out, hdr.request_id, status);",
          "\t\tout->handles_taken = in->handle_count > 0;"]
    c += dispatch_leases(gen, m)
    leases = gen.lease_fields(m["request"])
    if m["deferrable"]:
        c += ["\t\tif (ctx->call != NULL)",
              "\t\t\tviper_rpc_deferrable(ctx->call, %s_INTERFACE_ID, hdr.method, "
              "hdr.request_id);" % upper]
    c += ["\t\tstatus = server->%s(self, ctx, &req, &rep);" % member(m["name"])]
    if leases:
        c += ["\t\tctx->leases = NULL;", "\t\tctx->lease_count = 0;"]
    if m["deferrable"]:
        c += ["\t\tif (ctx->call != NULL && ctx->call->deferred &&",
              "\t\t    viper_rpc_keep(out, status, ctx->call))",
              "\t\t\treturn status; /* its leases end with its answer */"]
    if leases:
        c += ["\t\tviper_lease_close(leases, %d, true);" % len(leases)]
    if rep_arr:
        c += wrap(2, "return viper_rpc_reply",
                  ["out", "hdr.request_id", "status", "&" + codecs.name(m["reply"]), "&rep",
                   rep_arr, str(len(gen.handle_fields(m["reply"])))], ";")
    else:
        c += wrap(2, "return viper_rpc_reply_plain",
                  ["out", "hdr.request_id", "status", "&" + codecs.name(m["reply"]), "&rep"],
                  ";")
    return c + ["\t}"]


def source_lines(gen, iface, codecs, banner):
    """The lines of <iface>.viper.c."""
    name, upper = iface.name, iface.name.upper()
    base = iface.file.name[:-len(".proto")]
    c = [banner, '#include "%s.viper.h"' % base, "", "#include <viper/component.h>",
         "#include <viper/rpc_wire.h>", ""]
    c += ["const struct viper_interface %s_interface = {" % name,
          '\t.name = "%s",' % name,
          "\t.id = %s_INTERFACE_ID," % upper,
          "\t.dispatch = %s_dispatch," % name,
          "\t.max_request = %s_MAX_REQUEST," % upper,
          "\t.max_reply = %s_MAX_REPLY," % upper,
          "\t.bulk_bytes = %s_BULK_BYTES," % upper,
          "};", ""]
    c += codecs.lines()
    for m in iface.methods:
        c += remote_half(gen, iface, m, codecs)
    for m in iface.methods:
        if m["deferrable"]:
            c += complete_function(gen, iface, m, codecs)
    c += ["int32_t %s_dispatch(const void *ops, void *self, struct viper_rpc_context *ctx," % name,
          "\t\t    const struct viper_rpc_in *in, struct viper_rpc_out *out)", "{",
          "\tconst struct %s_server *server = (const struct %s_server *)ops;" % (name, name),
          "\tstruct viper_rpc_request_header hdr;",
          "\tint32_t status = viper_rpc_begin(in, %s_INTERFACE_ID, &hdr, out);" % upper,
          "\tif (status < 0)", "\t\treturn status;",
          "\tswitch (hdr.method) {"]
    for m in iface.methods:
        c += dispatch_case(gen, iface, m, codecs)
    return c + ["\tdefault:",
                "\t\treturn viper_rpc_reply_error(out, hdr.request_id, VIPER_E_NOSYS);",
                "\t}", "}"]


def c_outputs(gen, iface):
    """(header text, source text) of interface `iface`."""
    banner = ("/* Generated by toolchain/interfaces/generate.py from %s: do not edit. */" %
              iface.file.name)
    codecs = Codecs(gen, iface)
    h = header_lines(gen, iface, codecs, banner)
    c = source_lines(gen, iface, codecs, banner)
    return "\n".join(h) + "\n", "\n".join(c) + "\n"


def lease_open_lines(gen, msg, src, indent, on_error):
    """Lines opening each (viper.lease) view of request `src` into `leases`."""
    t = "\t" * indent
    out = []
    leases = gen.lease_fields(msg)
    for i, (f, prot) in enumerate(leases):
        out += [t + "%sviper_lease_open(%s%s, %s%s_offset, %s%s_length, %s, &leases[%d]);" %
                ("lease_err = " if i else "int32_t lease_err = ", src, f.name, src, f.name, src,
                 f.name, prot, i),
                t + "if (lease_err < 0) {"]
        if i:
            out.append(t + "\tviper_lease_close(leases, %d, false);" % i)
        out += [t + "\t" + line for line in on_error] + [t + "}"]
    return out


def ring_lines(gen, iface):
    """Typed ring calls for each (viper.ring_entry) message of the interface."""
    out = []
    for msg in gen.ring_entries(iface.file):
        short = snake_case(msg.proto.name)
        fn = "%s_%s" % (iface.name, short)
        ct = msg.c_type
        out += ["/* Rings of %s descriptors (viper/ring.h): the C struct as is. */" % msg.full_name,
                "typedef char %s_fits_a_ring_entry[sizeof(%s) <= VIPER_RING_ENTRY_MAX ? 1 : -1];" %
                (fn, ct),
                "static inline int32_t %s_ring_format(struct viper_ring *r, void *mem, "
                "uint64_t size," % fn,
                "\t\t\t\t\t  uint32_t capacity, bool producer)", "{",
                "\treturn viper_ring_format(r, mem, size, capacity, sizeof(%s), producer);" % ct,
                "}",
                "static inline int32_t %s_ring_attach(struct viper_ring *r, void *mem, "
                "uint64_t size," % fn,
                "\t\t\t\t\t  uint32_t capacity, bool producer)", "{",
                "\treturn viper_ring_attach(r, mem, size, capacity, sizeof(%s), producer);" % ct,
                "}",
                "static inline int32_t %s_push(struct viper_ring *r, const %s *e)" % (fn, ct), "{",
                "\treturn viper_ring_push(r, e);", "}",
                "static inline int32_t %s_pop(struct viper_ring *r, %s *e)" % (fn, ct), "{",
                "\treturn viper_ring_pop(r, e);", "}", ""]
    return out


def lend_lines(gen, msg):
    """Lines of a remote stub lending each (viper.lease) field of `body`."""
    out = []
    lent = []
    for i, (f, prot) in enumerate(gen.lease_fields(msg)):
        out += ["\t%sviper_lease_lend(&body.%s, body.%s_offset, body.%s_length, %s);" %
                ("lease_err = " if i else "int32_t lease_err = ", f.name, f.name, f.name, prot),
                "\tif (lease_err < 0) {"]
        out += ["\t\t(void)vc_handle_close(body.%s);" % n for n in lent]
        out += ["\t\treturn lease_err;", "\t}"]
        lent.append(f.name)
    return out


def direct_stub(gen, iface, m, valid_fn):
    """The client stub of method `m`: a direct call, or the remote half."""
    name, upper = iface.name, iface.name.upper()
    req, rep = m["request"].c_type, m["reply"].c_type
    leases = gen.lease_fields(m["request"])
    h = wrap(0, "static inline int32_t %s_%s" % (name, m["name"]),
             ["struct viper_slot *slot", "const %s *req" % req, "%s *rep" % rep], "")
    h += ["{",
          "\tconst struct %s_server *ops = (const struct %s_server *)slot->peer_ops;" %
          (name, name),
          "\tif (ops == NULL)",
          "\t\treturn %s_%s_remote(slot, req, rep);" % (name, m["name"])]
    if valid_fn:
        h += ["\tif (!%s(req))" % valid_fn, "\t\treturn VIPER_E_INVAL;"]
    h += ["\tif (ops->%s == NULL)" % member(m["name"]), "\t\treturn VIPER_E_NOSYS;"]
    h += clear(m["reply"], "*rep", 1)
    if leases:
        # The client's own handles, mapped for the call: the same checks as a remote call.
        h += ["\tstruct viper_lease_view leases[%d];" % len(leases)]
        h += lease_open_lines(gen, m["request"], "req->", 1, ["return lease_err;"])
    if m["deferrable"] or leases:
        h += ["\tstruct viper_rpc_context ctx = slot->peer_ctx;"]
    if leases:
        h += ["\tctx.leases = leases;", "\tctx.lease_count = %d;" % len(leases)]
    if m["deferrable"]:
        # The provider may keep the call: this thread then waits for the answer.
        h += ["\tstruct viper_direct_wait wait;",
              "\tstruct viper_call_state call;",
              "\t__builtin_memset(&wait, 0, sizeof(wait));",
              "\t__builtin_memset(&call, 0, sizeof(call));",
              "\twait.rep = rep;",
              "\tcall.interface_id = %s_INTERFACE_ID;" % upper,
              "\tcall.method = %s_METHOD_%s;" % (upper, m["name"].upper()),
              "\tcall.deferrable = true;",
              "\tcall.direct = &wait;",
              "\tctx.call = &call;"]
    ctx = "&ctx" if m["deferrable"] or leases else "&slot->peer_ctx"
    call = "ops->%s(slot->peer, %s, req, rep);" % (member(m["name"]), ctx)
    h += ["\tif (slot->peer_lock != NULL)", "\t\tviper_entry_lock(slot->peer_lock);",
          "\tint32_t status = " + call,
          "\tif (slot->peer_lock != NULL)", "\t\tviper_entry_unlock(slot->peer_lock);"]
    if m["deferrable"]:
        h += ["\tif (call.deferred) {",
              "\t\tif (viper_rpc_keep_direct(status, &call))",
              "\t\t\tstatus = viper_direct_wait_reply(&wait);",
              "\t}"]
    if leases:
        h += ["\tviper_lease_close(leases, %d, false);" % len(leases)]
    rep_handles = gen.handle_fields(m["reply"])
    if not rep_handles:
        return h + ["\treturn status;", "}", ""]
    h += ["\tif (status < 0) {",
          "\t\t/* As over a channel: an error carries no handles. */"]
    for f in rep_handles:
        h += ["\t\tif (rep->%s != VIPER_HANDLE_INVALID)" % f.name,
              "\t\t\tviper_transport_drop(rep->%s);" % f.name]
    return h + clear(m["reply"], "*rep", 2) + ["\t}", "\treturn status;", "}", ""]


def complete_function(gen, iface, m, codecs):
    """Lines of <iface>_<method>_complete, which answers a deferred call once."""
    name, upper = iface.name, iface.name.upper()
    rep = m["reply"].c_type
    rep_arr, lines = handle_array(gen, "rep", m["reply"], "->")
    count = len(gen.handle_fields(m["reply"]))
    c = wrap(0, "int32_t %s_%s_complete" % (name, m["name"]),
             ["viper_deferred_t token", "int32_t status", "%s *rep" % rep], "")
    c += ["{", "\tstruct viper_deferred_call call;",
          "\tint32_t err = viper_deferred_take(token, &%s_interface, %s_METHOD_%s, &call);" %
          (name, upper, m["name"].upper()),
          "\tif (err < 0)", "\t\treturn err;", "\tif (call.direct != NULL) {",
          "\t\t/* The same address space: the caller's reply is a copy away. */"]
    drops = []
    for f in gen.handle_fields(m["reply"]):
        drops += ["\t\t\tif (rep->%s != VIPER_HANDLE_INVALID)" % f.name,
                  "\t\t\t\tviper_transport_drop(rep->%s);" % f.name]
    if drops:
        c += ["\t\tif (status < 0) {"] + drops + ["\t\t}"]
    c += ["\t\tif (status >= 0)", "\t\t\t*(%s *)call.direct->rep = *rep;" % rep,
          "\t\treturn viper_direct_finish(call.direct, status);", "\t}",
          "\tstruct viper_rpc_out out;"] + lines
    c += wrap(1, "(void)viper_rpc_reply",
              ["&out", "call.request_id", "status", "&" + codecs.name(m["reply"]), "rep",
               rep_arr or "NULL", str(count)], ";")
    c += ["\treturn viper_deferred_send(&call, &out);", "}", ""]
    return c
