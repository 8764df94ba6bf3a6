/*
 * assign_table: interface assigns (interfaces/assigns.proto) over a table
 * in memory: the system's own assigns (SYS: for the volume's root, C:, S:,
 * L:, T:, CERTS: for its directories of those names), which stay, and up
 * to ASSIGN_MAX in all with the ones users make. User assigns last as long
 * as the instance's process.
 */
#ifndef ASSIGN_TABLE_ASSIGN_TABLE_H
#define ASSIGN_TABLE_ASSIGN_TABLE_H

#include <stdbool.h>

#include "assigns.viper.h"

#define ASSIGN_MAX	16u
#define ASSIGN_NAME_MAX 15u

struct assign {
	char name[ASSIGN_NAME_MAX + 1];
	char target[200];
	bool system;
};

struct assign_table {
	struct assign entries[ASSIGN_MAX];
	unsigned count;
};

/* Fills a table with the system's own assigns. */
void assign_table_defaults(struct assign_table *t);

extern const struct assigns_server assign_table_server;

#endif
