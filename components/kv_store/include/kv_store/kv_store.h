/*
 * kv_store: a fixed-size key-value store providing interface kv
 * (interfaces/kv.proto). Passive: it only answers calls. Links into a
 * process or the kernel unchanged, so it uses nothing but viper/component.h.
 */
#ifndef KV_STORE_KV_STORE_H
#define KV_STORE_KV_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "kv.viper.h"

#define KV_STORE_ENTRIES 32

struct kv_store_entry {
	bool used;
	char key[sizeof(((viper_kv_PutRequest *)0)->key)];
	uint8_t value[sizeof(((viper_kv_PutRequest *)0)->value.bytes)];
	uint32_t value_len;
};

/* One instance's state; the component host zeroes it before init. */
struct kv_store {
	struct kv_store_entry entries[KV_STORE_ENTRIES];
	uint32_t count;
	viper_handle_t attached; /* a memory object handed over by Attach, 0 if none */
	uint64_t attached_size;	 /* the bytes Read may read, as Attach said */
	void *attached_map;	 /* the store's mapping of the whole object */
	uint64_t attached_map_size;
};

/* The store's implementation of interface kv, for tests and hosts. */
extern const struct kv_server kv_store_server;

#endif
