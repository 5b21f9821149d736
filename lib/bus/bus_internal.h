/* bus_internal.h - counters the bus files share */
#ifndef MERPATI_BUS_INTERNAL_H
#define MERPATI_BUS_INTERNAL_H

/* bus_count_malformed - a message from another process was refused: count and log it */
void bus_count_malformed(const char *type, const char *why);
/* bus_count_dropped - a hint could not be sent (DESIGN.md rule 4: the poll catches up) */
void bus_count_dropped(void);

#endif
