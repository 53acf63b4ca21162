#pragma once

#include <QFrame>
#include <QString>

namespace edanas::ui {

/// One line of plain text that elides at the right when it does not fit, instead of
/// widening its layout (a QLabel's minimum width is its whole text, which let a long
/// status line push the main window past the screen). The full text is the tool tip
/// while it is elided.
class ElidedLabel : public QFrame
{
    Q_OBJECT

public:
    explicit ElidedLabel(QWidget *parent = nullptr);

    QString text() const { return m_text; }
    void setText(const QString &text);

    /// The text as painted at the current width ("…" at the end when cut).
    QString shownText() const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;

private:
    void updateToolTip();

    QString m_text;
};

} // namespace edanas::ui
