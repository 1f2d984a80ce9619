// The Chinese words the page shows for the API's codes, and time formatting.
// Codes not listed here are shown as they are, so a new code is visible, not hidden.

export const CATEGORY = {
  close_contact: "密接",
  secondary_close_contact: "次密接",
  high_risk_area: "高风险区",
  medium_risk_area: "中风险区",
  low_risk_area: "低风险区",
  inbound: "境外返回",
  none: "无",
};

export const MEASURE = {
  centralized_quarantine: "集中隔离",
  home_quarantine: "居家医学观察",
  health_monitoring: "健康监测",
  none: "无",
};

export const STATUS = {
  assigned: "待核查",
  in_progress: "核查中",
  unreachable: "无人接听",
  system_fault: "系统故障",
  closed: "已办结",
};

export const TIER = { grid: "网格", township: "乡镇", county: "县" };

// In the order the buttons are shown.
export const OUTCOMES = [
  ["verified_measure_applied", "已核实，已落实管控措施"],
  ["verified_no_risk", "已核实，无风险"],
  ["unreachable", "无人接听"],
  ["system_fault", "系统故障，无法审核"],
  ["not_in_area", "不在本辖区"],
];

export const APPLIED_MEASURES = ["centralized_quarantine", "home_quarantine", "health_monitoring"];

export const RESULTS = [
  ["negative", "阴性"],
  ["positive", "阳性"],
  ["invalid", "无效"],
  ["not_tested", "未检测"],
];

export const RESULT = Object.fromEntries(RESULTS);

export const ID_TYPE = { resident_id: "身份证", passport: "护照", other: "其他证件" };

export function label(table, code) {
  if (code === null || code === undefined) return "—";
  return Object.prototype.hasOwnProperty.call(table, code) ? table[code] : String(code);
}

// "2小时15分", "3天2小时", "35分", "不足1分" for a duration in milliseconds (>= 0).
export function duration(ms) {
  const minutes = Math.floor(ms / 60000);
  if (minutes < 1) return "不足1分";
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const mins = minutes % 60;
  if (days > 0) return `${days}天${hours}小时`;
  if (hours > 0) return `${hours}小时${mins}分`;
  return `${mins}分`;
}

// {text: "剩余 2小时15分" | "已超时 35分", overdue: bool} for a deadline (ISO string).
export function timeLeft(dueIso, now = Date.now()) {
  const due = Date.parse(dueIso);
  if (Number.isNaN(due)) return { text: "截止时间未知", overdue: false };
  const ms = due - now;
  return ms >= 0
    ? { text: `剩余 ${duration(ms)}`, overdue: false }
    : { text: `已超时 ${duration(-ms)}`, overdue: true };
}

const CLOCK = new Intl.DateTimeFormat("zh-CN", {
  timeZone: "Asia/Shanghai", month: "2-digit", day: "2-digit",
  hour: "2-digit", minute: "2-digit", hour12: false,
});

// "12-01 20:00" in Beijing time.
export function clock(iso) {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return "—";
  const parts = Object.fromEntries(CLOCK.formatToParts(new Date(t)).map((p) => [p.type, p.value]));
  return `${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
}

const DAY = new Intl.DateTimeFormat("en-CA", {
  timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit", day: "2-digit",
});

// Today's date in Beijing, "2026-12-01" (test dates are Beijing calendar days).
export function today(now = Date.now()) {
  return DAY.format(new Date(now));
}
