// Words of the console in Chinese (default) and English, and times in the jurisdiction's zone.

const dictionaries = {
  zh: {
    "app.title": "巡查救助调度台",
    "login.title": "登录调度台",
    "login.username": "用户名",
    "login.password": "密码",
    "login.submit": "登录",
    "login.failed": "登录失败：{detail}",
    "login.role_refused": "此账号的角色（{role}）不能使用调度台",
    "header.logout": "退出",
    "header.language": "English",
    "stream.live": "实时",
    "stream.offline": "重连中",
    "role.dispatcher": "调度员",
    "role.supervisor": "主管",
    "role.station_staff": "救助站",
    "role.hospital_staff": "医院",
    "role.admin": "管理员",
    "layers.title": "图层",
    "layer.boundaries": "辖区边界",
    "layer.hotspots": "重点区域",
    "layer.positions": "在岗队员",
    "layer.tracks": "队伍轨迹",
    "layer.sweeps": "专项巡查",
    "layer.handovers": "交接途中",
    "layer.encounters": "24小时救助",
    "layer.leads": "群众线索",
    "layer.loading": "加载中…",
    "layer.truncated": "范围内重点区域过多，请放大",
    "legend.never": "从未巡查",
    "legend.overdue": "超期未巡",
    "legend.due": "即将到期",
    "legend.fresh": "近期已巡",
    "panel.alerts": "待确认警报",
    "panel.sweeps": "专项巡查",
    "panel.handovers": "交接",
    "panel.teams": "队伍",
    "panel.leads": "线索队列",
    "alerts.none": "没有待确认的警报",
    "alerts.ack": "确认",
    "alerts.sound_on": "声音：开",
    "alerts.sound_off": "声音：关",
    "sweeps.none": "没有进行中的专项巡查",
    "sweeps.draw": "在地图上圈定巡查区域",
    "sweeps.drawing": "单击地图添加顶点，双击或点“完成”结束，Esc 取消",
    "sweeps.finish": "完成",
    "sweeps.cancel": "取消",
    "sweeps.kind": "类型",
    "sweeps.level": "预警级别",
    "sweeps.hours": "持续（小时）",
    "sweeps.start": "启动巡查",
    "sweeps.started": "专项巡查已启动",
    "sweeps.close": "结束巡查",
    "sweeps.progress": "已查 {done}/{total}",
    "sweeps.deadline": "核查截止 {time}",
    "sweeps.tasks": "任务",
    "sweeps.reassign": "改派",
    "sweeps.unassigned": "未分派",
    "sweeps.need_vertices": "至少需要 3 个顶点",
    "kind.cold": "寒冬送温暖",
    "kind.heat": "夏季送清凉",
    "kind.other": "其他",
    "level.blue": "蓝色",
    "level.yellow": "黄色",
    "level.orange": "橙色",
    "level.red": "红色",
    "task.pending": "待查",
    "task.done": "已查",
    "handovers.none": "没有进行中的交接",
    "handovers.eta": "预计到达 {time}",
    "handovers.deadline": "时限 {time}",
    "handovers.late": "已超时",
    "handover.to_station": "护送至救助站",
    "handover.to_hospital": "送医",
    "handover.identity_check": "身份甄别",
    "handover.discharge_pickup": "出院接领",
    "handover.police_referral": "移交公安",
    "state.held": "暂缓",
    "state.requested": "待接收",
    "state.accepted": "已接收",
    "state.in_transit": "途中",
    "state.arrived": "已到达",
    "teams.none": "辖区内没有队伍",
    "teams.on_duty": "在岗",
    "teams.off_duty": "未在岗",
    "teams.no_position": "无定位",
    "teams.supplies": "物资",
    "teams.low": "不足",
    "teams.show_track": "轨迹",
    "leads.none": "没有待处理的线索",
    "leads.number": "线索 {number}",
    "leads.left": "剩余 {minutes} 分钟",
    "leads.late": "已超时 {minutes} 分钟",
    "leads.team": "{team} 处理中",
    "leads.offered": "已派给 {team}，待接单",
    "leads.waiting": "待派单",
    "leads.unplaced": "地点待标注",
    "leads.linked": "重复线索，已并入另一条",
    "leads.assign": "派给…",
    "leads.merge": "并入…",
    "leads.split": "拆分",
    "leads.pin": "标注地点",
    "leads.pinning": "请在地图上点击线索位置",
    "leads.done.assign": "已派单",
    "leads.done.merge": "已合并",
    "leads.done.split": "已拆分",
    "leads.done.pin": "已标注",
    "lead.new": "待派单",
    "lead.offered": "已派单",
    "lead.accepted": "前往中",
    "lead.arrived": "已到场",
    "lead.closed": "已办结",
    "lead.linked": "重复",
    "popup.last_visit": "上次巡查：{time}（{team}）",
    "popup.never_visited": "从未巡查",
    "popup.allowed": "巡查间隔 {hours} 小时",
    "popup.position_age": "定位于 {age}",
    "popup.battery": "电量 {pct}%",
    "popup.encounters": "{count} 次救助",
    "popup.hotspots": "{count} 个点位",
    "popup.zoom_in": "放大地图查看各点位",
    "risk.low": "低风险",
    "risk.medium": "中风险",
    "risk.high": "高风险",
    "risk.critical": "极高风险",
    "outcome.escorted_to_station": "护送至救助站",
    "outcome.escorted_to_hospital": "送医",
    "outcome.emergency_services_called": "呼叫120",
    "outcome.refused_help": "拒绝救助",
    "outcome.police_referral": "移交公安",
    "outcome.resolved_on_site": "现场解决",
    "outcome.no_contact": "未接触",
    "error.generic": "出错了：{detail}",
  },
  en: {
    "app.title": "Patrol & relief dispatch",
    "login.title": "Sign in to the console",
    "login.username": "Username",
    "login.password": "Password",
    "login.submit": "Sign in",
    "login.failed": "Sign-in failed: {detail}",
    "login.role_refused": "This account's role ({role}) cannot use the console",
    "header.logout": "Sign out",
    "header.language": "中文",
    "stream.live": "Live",
    "stream.offline": "Reconnecting",
    "role.dispatcher": "Dispatcher",
    "role.supervisor": "Supervisor",
    "role.station_staff": "Rescue station",
    "role.hospital_staff": "Hospital",
    "role.admin": "Administrator",
    "layers.title": "Layers",
    "layer.boundaries": "Jurisdictions",
    "layer.hotspots": "Hotspots",
    "layer.positions": "Officers on duty",
    "layer.tracks": "Team tracks",
    "layer.sweeps": "Sweeps",
    "layer.handovers": "Handovers under way",
    "layer.encounters": "Encounters (24 h)",
    "layer.leads": "Public leads",
    "layer.loading": "Loading…",
    "layer.truncated": "Too many hotspots in view: zoom in",
    "legend.never": "Never visited",
    "legend.overdue": "Overdue",
    "legend.due": "Due soon",
    "legend.fresh": "Visited recently",
    "panel.alerts": "Alerts to acknowledge",
    "panel.sweeps": "Sweeps",
    "panel.handovers": "Handovers",
    "panel.teams": "Teams",
    "panel.leads": "Lead queue",
    "alerts.none": "No alerts waiting",
    "alerts.ack": "Acknowledge",
    "alerts.sound_on": "Sound: on",
    "alerts.sound_off": "Sound: off",
    "sweeps.none": "No sweep under way",
    "sweeps.draw": "Draw a sweep area on the map",
    "sweeps.drawing": "Click to add corners; double-click or Finish to end, Esc to cancel",
    "sweeps.finish": "Finish",
    "sweeps.cancel": "Cancel",
    "sweeps.kind": "Kind",
    "sweeps.level": "Warning level",
    "sweeps.hours": "Lasts (hours)",
    "sweeps.start": "Start sweep",
    "sweeps.started": "Sweep started",
    "sweeps.close": "Close sweep",
    "sweeps.progress": "{done}/{total} checked",
    "sweeps.deadline": "Check by {time}",
    "sweeps.tasks": "Tasks",
    "sweeps.reassign": "Reassign",
    "sweeps.unassigned": "Unassigned",
    "sweeps.need_vertices": "An area needs at least 3 corners",
    "kind.cold": "Winter warmth",
    "kind.heat": "Summer cooling",
    "kind.other": "Other",
    "level.blue": "Blue",
    "level.yellow": "Yellow",
    "level.orange": "Orange",
    "level.red": "Red",
    "task.pending": "Pending",
    "task.done": "Checked",
    "handovers.none": "No handover under way",
    "handovers.eta": "ETA {time}",
    "handovers.deadline": "Due by {time}",
    "handovers.late": "Late",
    "handover.to_station": "Escort to station",
    "handover.to_hospital": "To hospital",
    "handover.identity_check": "Identity check",
    "handover.discharge_pickup": "Discharge pick-up",
    "handover.police_referral": "Police referral",
    "state.held": "Held",
    "state.requested": "Requested",
    "state.accepted": "Accepted",
    "state.in_transit": "In transit",
    "state.arrived": "Arrived",
    "teams.none": "No teams in this jurisdiction",
    "teams.on_duty": "On duty",
    "teams.off_duty": "Off duty",
    "teams.no_position": "no position",
    "teams.supplies": "Supplies",
    "teams.low": "low",
    "teams.show_track": "Track",
    "leads.none": "No open leads",
    "leads.number": "Lead {number}",
    "leads.left": "{minutes} min left",
    "leads.late": "{minutes} min late",
    "leads.team": "{team} on it",
    "leads.offered": "offered to {team}",
    "leads.waiting": "waiting for a team",
    "leads.unplaced": "place to be pinned",
    "leads.linked": "duplicate, linked to another lead",
    "leads.assign": "Assign to…",
    "leads.merge": "Merge into…",
    "leads.split": "Split off",
    "leads.pin": "Pin on map",
    "leads.pinning": "Click the lead's place on the map",
    "leads.done.assign": "Assigned",
    "leads.done.merge": "Merged",
    "leads.done.split": "Split off",
    "leads.done.pin": "Pinned",
    "lead.new": "Waiting",
    "lead.offered": "Offered",
    "lead.accepted": "On the way",
    "lead.arrived": "On scene",
    "lead.closed": "Closed",
    "lead.linked": "Duplicate",
    "popup.last_visit": "Last visit: {time} ({team})",
    "popup.never_visited": "Never visited",
    "popup.allowed": "Visit every {hours} h",
    "popup.position_age": "Fix {age}",
    "popup.battery": "Battery {pct}%",
    "popup.encounters": "{count} encounters",
    "popup.hotspots": "{count} hotspots",
    "popup.zoom_in": "Zoom in to see each hotspot",
    "risk.low": "Low risk",
    "risk.medium": "Medium risk",
    "risk.high": "High risk",
    "risk.critical": "Critical risk",
    "outcome.escorted_to_station": "Escorted to station",
    "outcome.escorted_to_hospital": "Taken to hospital",
    "outcome.emergency_services_called": "Called 120",
    "outcome.refused_help": "Refused help",
    "outcome.police_referral": "Police referral",
    "outcome.resolved_on_site": "Resolved on site",
    "outcome.no_contact": "No contact",
    "error.generic": "Something went wrong: {detail}",
  },
};

const LOCALES = { zh: "zh-CN", en: "en-GB" };
const STORAGE_KEY = "patrol.console.language";
const listeners = new Set();

let language = dictionaries[localStorage.getItem(STORAGE_KEY)] ? localStorage.getItem(STORAGE_KEY) : "zh";
let timeZone = "Asia/Shanghai";
let timeFormat = null;

export function t(key, vars = {}) {
  const text = dictionaries[language][key] ?? dictionaries.zh[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (name in vars ? String(vars[name]) : `{${name}}`));
}

export function currentLanguage() {
  return language;
}

export function setLanguage(next) {
  language = dictionaries[next] ? next : "zh";
  localStorage.setItem(STORAGE_KEY, language);
  timeFormat = null;
  document.documentElement.lang = LOCALES[language];
  translate(document);
  for (const listener of listeners) listener(language);
}

export function onLanguageChange(listener) {
  listeners.add(listener);
}

/** Fill every element marked data-i18n (text) or data-i18n-title (tooltip) under root. */
export function translate(root) {
  for (const element of root.querySelectorAll("[data-i18n]")) element.textContent = t(element.dataset.i18n);
  for (const element of root.querySelectorAll("[data-i18n-title]")) element.title = t(element.dataset.i18nTitle);
  document.title = t("app.title");
}

export function setTimeZone(zone) {
  timeZone = zone;
  timeFormat = null;
}

export function currentTimeZone() {
  return timeZone;
}

/** A time of day (and the date when it is not today) in the jurisdiction's time zone. */
export function formatTime(value) {
  if (!value) return "—";
  timeFormat ??= new Intl.DateTimeFormat(LOCALES[language], {
    timeZone,
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    hour12: false,
  });
  return timeFormat.format(new Date(value));
}

/** "3 minutes ago" in the current language. */
export function formatAge(seconds) {
  const relative = new Intl.RelativeTimeFormat(LOCALES[language], { numeric: "auto" });
  if (seconds < 60) return relative.format(-Math.round(seconds), "second");
  if (seconds < 3600) return relative.format(-Math.round(seconds / 60), "minute");
  if (seconds < 86400) return relative.format(-Math.round(seconds / 3600), "hour");
  return relative.format(-Math.round(seconds / 86400), "day");
}

document.documentElement.lang = LOCALES[language];
