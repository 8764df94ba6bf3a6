#include <arch/trap.h>

#include <kernel/format.h>

const char *esr_class_name(unsigned ec)
{
	switch (ec) {
	case 0x00:
		return "unknown reason";
	case 0x01:
		return "trapped WFI or WFE";
	case 0x07:
		return "FP/SIMD access trapped";
	case 0x0e:
		return "illegal execution state";
	case 0x15:
		return "SVC from AArch64";
	case 0x18:
		return "trapped system register access";
	case 0x20:
		return "instruction abort from a lower EL";
	case 0x21:
		return "instruction abort from the same EL";
	case 0x22:
		return "PC alignment fault";
	case 0x24:
		return "data abort from a lower EL";
	case 0x25:
		return "data abort from the same EL";
	case 0x26:
		return "SP alignment fault";
	case 0x2c:
		return "floating-point exception";
	case 0x2f:
		return "SError interrupt";
	case 0x30:
	case 0x31:
		return "breakpoint";
	case 0x32:
	case 0x33:
		return "software step";
	case 0x34:
	case 0x35:
		return "watchpoint";
	case 0x3c:
		return "BRK instruction";
	}
	return "unrecognised exception class";
}

/* Names the fault status code of an instruction or data abort. */
static const char *fault_status_name(unsigned fsc)
{
	switch (fsc >> 2) {
	case 0:
		return "address size fault";
	case 1:
		return "translation fault";
	case 2:
		return "access flag fault";
	case 3:
		return "permission fault";
	}
	switch (fsc) {
	case 0x10:
		return "synchronous external abort";
	case 0x21:
		return "alignment fault";
	case 0x30:
		return "TLB conflict abort";
	}
	return "unrecognised fault status";
}

char *esr_describe(uint64_t esr, char *buf, size_t size)
{
	unsigned ec = esr_class(esr);
	unsigned fsc = (unsigned)esr & 0x3f;
	bool abort = ec == 0x20 || ec == 0x21 || ec == 0x24 || ec == 0x25;
	bool data = ec == 0x24 || ec == 0x25;

	if (!abort) {
		format_buf(buf, size, "%s (ISS 0x%x)", esr_class_name(ec),
			   (unsigned)(esr & 0x1ffffff));
	} else if (fsc < 0x10) {
		format_buf(buf, size, "%s: %s, level %u%s", esr_class_name(ec),
			   fault_status_name(fsc), fsc & 3,
			   data ? ((esr >> 6) & 1 ? ", on write" : ", on read") : "");
	} else {
		format_buf(buf, size, "%s: %s%s", esr_class_name(ec), fault_status_name(fsc),
			   data ? ((esr >> 6) & 1 ? ", on write" : ", on read") : "");
	}
	return buf;
}
