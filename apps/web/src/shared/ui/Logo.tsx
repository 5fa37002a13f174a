export function LogoMark({ className = 'size-7' }: { className?: string }) {
  return (
    <svg viewBox="0 0 512 512" className={className} aria-hidden="true">
      <defs>
        <linearGradient id="omni-logo-gradient" x1="0" y1="0" x2="1" y2="1">
          <stop offset="0" stopColor="#6366f1" />
          <stop offset="1" stopColor="#8b5cf6" />
        </linearGradient>
      </defs>
      <rect width="512" height="512" rx="112" fill="url(#omni-logo-gradient)" />
      <circle cx="256" cy="256" r="124" fill="none" stroke="#fff" strokeWidth="52" />
      <circle cx="256" cy="256" r="30" fill="#fff" />
    </svg>
  );
}
