/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `flightwatch report`: what a responder reads first. Replays traces
 * through the correlator and summarises: a timeline of notable events,
 * per flight log who read it and how much, per process where it sent and
 * how much, and every flow with its chain; as text, one JSON document,
 * or a Graphviz graph (files -> processes -> destinations).
 */
#ifndef FW_REPORT_H
#define FW_REPORT_H

/* argv[0] is "report"; returns the process exit status */
int report__main(int argc, char **argv);

#endif /* FW_REPORT_H */
