package kernelsim

// OWNER: contexts helper (issue 3). Stub.

// irqState holds pending softirqs, tasklets, timers, work and irq handlers.
type irqState struct{}
