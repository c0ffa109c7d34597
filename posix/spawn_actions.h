/*
 * posix_spawn's file actions as libposix keeps them (spawn_actions.c): an
 * array behind posix_spawn_file_actions_t's __actions, in the order they
 * were added, each as the proc server's struct proc_action plus its path.
 */
#pragma once

#include "proto/proc.h"

struct px_spawn_action {
	struct proc_action a;
	char *path;	/* OPEN and CHDIR: owned; else NULL */
};

struct px_spawn_actions {
	unsigned n, cap;
	struct px_spawn_action v[];
};
